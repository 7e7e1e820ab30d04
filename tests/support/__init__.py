"""Helpers the tests share. Tests import from here, never from another test module or a conftest.

- ``api``: a client that knows only the HTTP contract (``Api``), the checks every response
  passes, and builders for users, workspaces, a team of each role, projects, tasks and tags.
- ``deployment``: ``Deployment`` (a migrated database and the environment pointing Taskstar at it)
  and ``deployment_env``.
- ``targets``: what the suite runs against (persistence path x database, ``TASKSTAR_TEST_TARGETS``)
  and the scratch database built for each.
- ``server``: the real ``taskstar`` process (``Server``), one-shot ``taskstar`` commands, a free port.
- ``inprocess``: the app in the test process: SQL statement counting and the layers faults are injected into.
- ``faults``: shared parts of the fault suite: a server of its own, a tracked write workload, lost writes.
- ``tcp_proxy``: a TCP proxy the test controls, to make a database unreachable or silent.
- ``traffic``: concurrent clients that record every answer they get, and summaries of those answers.
- ``invariants``: what must hold after any fault or load, read back through the API.
- ``reliability``: the figures behind ``docs/reliability.md``; ``python3 -m tests.support.reliability``
  renders them.
"""
