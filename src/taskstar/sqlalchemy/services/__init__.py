"""Business operations on the SQLAlchemy paths.

The transaction rule, the same for every service: a public method is one unit
of work. It flushes as it goes, so a constraint violation surfaces inside the
operation as an error, commits once when the operation is complete, and on
any failure raises before that commit; the request's session is then closed
uncommitted by the plugin's ``before_send`` handler, which rolls it back.
A response is therefore never 2xx for data that was not committed.
"""
