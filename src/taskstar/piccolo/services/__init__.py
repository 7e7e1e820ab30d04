"""Business operations on the Piccolo path.

The transaction rule, the same as on the SQLAlchemy paths: a public method that
writes is one unit of work, ``async with self.db.writing()``. Every statement in
it runs on the transaction's connection; a failure anywhere raises out of the
block, which rolls back; leaving it normally commits, before the method returns
and so before any response is sent. A response is never 2xx for data that was
not committed.
"""
