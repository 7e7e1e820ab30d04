"""The Piccolo persistence path (``TASKSTAR_PERSISTENCE=piccolo``).

The same contract as the SQLAlchemy paths, from Piccolo ORM: tables and their
migrations, an engine per database (pooled on PostgreSQL), queries, services
with explicit transactions, PiccoloDTOs and controllers. What is not about
persistence (auth, guards, errors, pagination, domain rules) is shared.
"""
