"""Integrasi: what an MPP admin manages for agency systems (API tokens, webhook endpoints and their delivery log,
catalog import/export), and the webhook delivery itself. The API they talk to is app/api/."""
