"""The edge every persistence path shares: auth, guards, errors, pagination, operations.

Nothing here imports an ORM; a persistence path plugs in through
:class:`taskstar.persistence.PersistencePath`.
"""
