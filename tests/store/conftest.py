from hqd_testdb import db_url, store  # noqa: F401  (fixtures)
