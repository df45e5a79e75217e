"""Demo catalog content as plain data: regions, MPPs with hours, agencies and their tenancies, and 20 services.

Nothing here touches the database; `app.catalog.demo_data.load_demo_data()` reads these modules and upserts them.
Facts come from the project's domain notes; where a fact is unknown (a street address, a tenant's weekday) the
value is a clearly typical one and the module says so next to it.
"""
