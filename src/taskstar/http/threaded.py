"""Route decorators for synchronous handlers, which must never run on the event loop.

The sync persistence path's controllers are generated from the async ones
(unasyncd maps ``litestar.get`` to ``get_in_thread`` and so on): the same routes,
run in Litestar's worker threads.
"""

from __future__ import annotations

from functools import partial

import litestar

get_in_thread = partial(litestar.get, sync_to_thread=True)
post_in_thread = partial(litestar.post, sync_to_thread=True)
patch_in_thread = partial(litestar.patch, sync_to_thread=True)
delete_in_thread = partial(litestar.delete, sync_to_thread=True)
