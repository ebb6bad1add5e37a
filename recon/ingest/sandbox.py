"""Run a parser in a child process with time and memory limits.

A hostile file (decompression bomb, deep nesting, a page tree of millions of nodes) can
hang or exhaust a parser; in a child process it can only hurt the child, which is killed
at its time limit. Errors come back as Recon's coded errors; the child's scratch folder is removed afterwards.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import shutil
import signal
import tempfile
from collections.abc import Callable
from typing import Any

from recon.errors import DocumentTooLarge, ProcessingTimeout, ReconError, UnreadableDocument

DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_MEMORY_LIMIT_MB = 2048


def limits() -> tuple[float, int]:
    """(seconds, MB) for one document; settings RECON_PARSE_TIMEOUT and RECON_PARSE_MEMORY_MB."""
    return (float(os.environ.get("RECON_PARSE_TIMEOUT", DEFAULT_TIME_LIMIT_S)),
            int(os.environ.get("RECON_PARSE_MEMORY_MB", DEFAULT_MEMORY_LIMIT_MB)))


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], memory_mb: int,
           scratch: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # helpers (OCR) write their temporary files here; the parent removes the folder whatever happens
    os.environ["TMPDIR"] = scratch
    tempfile.tempdir = scratch
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # pragma: no cover - some platforms refuse
        pass
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except ReconError as e:
        conn.send(("error", type(e).__name__, e.message, e.page))
    except MemoryError:
        conn.send(("error", "DocumentTooLarge", "the file needs more memory than allowed to be read", None))
    except RecursionError:
        conn.send(("error", "UnreadableDocument", "the file is nested too deeply to be read safely", None))
    except BaseException as e:  # the child reports anything; the parent decides
        conn.send(("error", "UnreadableDocument", f"the file could not be parsed ({type(e).__name__})", None))
    finally:
        conn.close()
    os._exit(0)  # skip the interpreter's teardown of the inherited heap: the parent has its answer


def run_limited(fn: Callable[..., Any], *args: Any, label: str, time_limit: float | None = None,
                memory_mb: int | None = None, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a forked child; its result, or a coded error naming ``label``."""
    name = label
    default_time, default_memory = limits()
    limit = default_time if time_limit is None else time_limit
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    scratch = tempfile.mkdtemp(prefix="recon-parse-")
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, memory_mb or default_memory, scratch),
                       daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(limit):
            raise ProcessingTimeout(f"{name}: reading took longer than {limit:.0f} s and was stopped")
        try:
            message = parent.recv()
        except (EOFError, OSError) as e:
            raise UnreadableDocument(f"{name}: the parser stopped abnormally (resource limit reached)") from e
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
        shutil.rmtree(scratch, ignore_errors=True)
    if message[0] == "ok":
        return message[1]
    _, kind, text, page = message
    error = {"DocumentTooLarge": DocumentTooLarge, "ProcessingTimeout": ProcessingTimeout}.get(kind)
    if error is None:
        import recon.errors as errors

        error = getattr(errors, kind, UnreadableDocument)
        if not (isinstance(error, type) and issubclass(error, ReconError)):
            error = UnreadableDocument
    if text.startswith(f"{name}:"):
        text = text[len(name) + 1 :].strip()
    raise error(f"{name}: {text}", page=page)
