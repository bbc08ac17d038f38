from campaign_fixture import campaign  # noqa: F401  (fixture)
