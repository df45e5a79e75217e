import pytest


@pytest.fixture
def demo_data(app):
    """The agreed demo catalog (MPPs, agencies, the 20 services) so real catalog pages can be visited."""
    from app.catalog.demo_data import load_demo_data

    with app.app_context():
        load_demo_data()
