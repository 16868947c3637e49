"""Chroma access for every layer: the client, the checked collections, paged reads and the change marker.

The chunk store (``index.store``) owns the write path and the companions kept
beside the chunks (``index.lexical``, ``index.sentence_vectors``) read the same
collections; all three import this module and none of them imports back.
"""

from __future__ import annotations

import threading
import time
import uuid

from settings import Settings, get_settings

COLLECTION = "minutes"
# Chroma's HNSW index is approximate and built on several threads, so two builds of the same corpus can return
# different dense neighbours. A candidate list this long makes the search exhaustive for a committee's minutes,
# so every build answers alike; its cost on a much larger store shows in eval.bench's growth rows.
HNSW_CONFIGURATION = {"hnsw": {"space": "cosine", "ef_search": 512}}
# One record whose token changes on every write: what readers compare per question.
CHANGES_COLLECTION = "minutes_changes"
CHANGE_ID = "change"


class IndexMismatchError(RuntimeError):
    """The index was built with another embedding model than the one configured."""


class StoreUnavailableError(RuntimeError):
    """The Chroma server does not answer: it is down, restarting or unreachable."""


def bump_change(config: Settings | None = None) -> str:
    """A new token in the change marker; returns it."""
    config = config or get_settings()
    token = uuid.uuid4().hex
    # The marker holds no vector to search, but Chroma requires one: a constant of one dimension.
    marker = chroma_client(config).get_or_create_collection(CHANGES_COLLECTION, embedding_function=None)
    marker.upsert(ids=[CHANGE_ID], embeddings=[[1.0]], metadatas=[{"token": token, "at": time.time()}])
    return token


class ChangeMarker:
    """A reader's view of the change marker: ``read()`` is one small request, cheap enough per question."""

    def __init__(self, config: Settings | None = None) -> None:
        self.config = config or get_settings()
        self._collection = None
        self._generation = _generation

    def read(self) -> str | None:
        """The current token, or None for an index no writer of this version has touched yet."""
        from chromadb.errors import NotFoundError

        try:
            if self._generation != _generation:
                self._collection, self._generation = None, _generation
            if self._collection is None:
                self._collection = chroma_client(self.config).get_collection(
                    CHANGES_COLLECTION, embedding_function=None)
            stored = self._collection.get(ids=[CHANGE_ID], include=["metadatas"])
        except NotFoundError:  # not created yet, or deleted since: looked up again next time
            self._collection = None
            return None
        return str(stored["metadatas"][0].get("token")) if stored["ids"] else None


_clients: dict[str, object] = {}
_clients_guard = threading.Lock()
# Bumped when the embedded store's client is dropped (reset_embedded_client): holders of collections reopen them.
_generation = 0


def client_generation() -> int:
    return _generation


def reset_embedded_client() -> None:
    """Drop the embedded store's cached client after it failed to write, so that the next call opens a fresh one.

    After a write that met a full disk (a failed compaction), chromadb's embedded
    store can wait forever on the next call through the same client, even once
    space is freed; a client opened afresh on the same folder reads and writes
    again. Collections opened from the old client must be reopened
    (``client_generation`` tells their holders).
    """
    global _generation
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    _generation += 1


def chroma_client(config: Settings | None = None):
    """The Chroma client of the configured store, telemetry off (also switched off by settings' environment).

    A persistent client on disk or, with ``chroma_url``, one HTTP client per
    server and process (creating one asks the server three questions). Raises
    StoreUnavailableError when the server does not answer.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    config = config or get_settings()
    if config.chroma_url:
        with _clients_guard:
            client = _clients.get(config.chroma_url)
            if client is None:
                try:
                    client = _clients[config.chroma_url] = _server_client(config.chroma_url)
                except Exception as error:
                    unavailable = store_error(error, config)
                    if unavailable is None:
                        raise
                    raise unavailable from None
            return client
    config.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(config.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    )


def _server_client(url: str):
    """An HTTP client of the server at ``url``; a path after the port names the database, created when missing."""
    from urllib.parse import urlsplit

    import chromadb
    from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
    from chromadb.config import Settings as ChromaSettings
    from chromadb.errors import NotFoundError

    parts = urlsplit(url)
    ssl = parts.scheme == "https"
    host, port = parts.hostname or "localhost", parts.port or (443 if ssl else 8000)
    database = parts.path.strip("/") or DEFAULT_DATABASE
    if database != DEFAULT_DATABASE:
        admin = chromadb.AdminClient(ChromaSettings(
            chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host, chroma_server_http_port=port,
            chroma_server_ssl_enabled=ssl, anonymized_telemetry=False))
        try:
            admin.get_database(database, DEFAULT_TENANT)
        except NotFoundError:
            admin.create_database(database, DEFAULT_TENANT)
    client = chromadb.HttpClient(host=host, port=port, ssl=ssl, database=database,
                                 settings=ChromaSettings(anonymized_telemetry=False))
    # chromadb builds its httpx session with no time-out and offers no setting for one: a server that stops
    # answering mid-request would hold the caller (and the store lock) forever. httpx lets it be set afterwards.
    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is not None:
        import httpx

        session.timeout = httpx.Timeout(SERVER_TIMEOUT, connect=10.0)
    return client


# Seconds any one request to a Chroma server may take; a write batch of a thousand vectors takes a few.
SERVER_TIMEOUT = 120.0


def server_unreachable(error: BaseException | None) -> bool:
    """Whether ``error``, or what caused it, is a Chroma server that did not answer."""
    import httpx

    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, StoreUnavailableError | httpx.TransportError):
            return True
        if isinstance(error, ValueError) and "Could not connect to a Chroma server" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def store_error(error: BaseException, config: Settings | None = None) -> StoreUnavailableError | None:
    """The Danish error for a server that does not answer, or None when ``error`` is something else."""
    config = config or get_settings()
    if not config.chroma_url or not server_unreachable(error):
        return None
    if isinstance(error, StoreUnavailableError):
        return error
    return StoreUnavailableError(
        f"Chroma-serveren {config.chroma_url} svarer ikke, så søgeindekset kan ikke bruges lige nu. "
        "Prøv igen om lidt; svarer den stadig ikke, så start serveren (chroma run, se README) "
        "eller ret MINUTES_CHROMA_URL.")


def _signature(config: Settings) -> dict[str, str | int]:
    from index.embedding import embedding_signature

    signature = embedding_signature(config)
    return {"embed_model": str(signature["model"]), "embed_dim": int(signature["dim"]),
            "embed_backend": str(signature["backend"]), "embed_quantization": str(signature["quantization"])}


def open_collection(config: Settings | None = None, *, create: bool = False, name: str = COLLECTION):
    """A Chroma collection of the index (the chunks by default), checked against the configured encoder.

    Raises IndexMismatchError (Danish message) when the model, its backend or
    its quantization differs, and FileNotFoundError when there is no index yet
    and ``create`` is false.
    """
    config = config or get_settings()
    client = chroma_client(config)
    signature = _signature(config)
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    if name not in names:
        if not create:
            raise FileNotFoundError(f"Der er intet søgeindeks i {config.store_location}; kør 'python -m index build'.")
        return client.create_collection(name, metadata=signature, configuration=HNSW_CONFIGURATION)
    collection = client.get_collection(name)
    check_signature(collection.metadata or {}, signature, config)
    return collection


def check_signature(recorded: dict, signature: dict, config: Settings) -> None:
    """The same clear error for another model, another backend or another quantization."""
    # An index from before backends were recorded was built by PyTorch in fp32; ONNX fp32 gives the same
    # vectors (cosine 1.0000 in tests/test_onnx_encoder.py), so such an index opens under either fp32 backend.
    legacy_backend = signature["embed_backend"] if signature.get("embed_quantization") == "fp32" else "torch"
    recorded = {"embed_backend": legacy_backend, "embed_quantization": "fp32", **recorded}
    if any(recorded.get(key) != value for key, value in signature.items()):
        raise IndexMismatchError(
            f"Søgeindekset i {config.store_location} er bygget med modellen '{recorded.get('embed_model')}' "
            f"({recorded.get('embed_dim')} dimensioner, {recorded['embed_backend']} "
            f"{recorded['embed_quantization']}), men den valgte model er '{signature['embed_model']}' "
            f"({signature['embed_dim']} dimensioner, {signature['embed_backend']} "
            f"{signature['embed_quantization']}). Byg indekset igen: python -m index build --rebuild"
        )


# Records per read when a whole collection (or much of it) is read.
READ_PAGE = 5000


def read_all(collection, include: list[str], where: dict | None = None) -> dict[str, list]:
    """Every record of ``collection`` (or those ``where`` selects), read page by page.

    Chroma's embedded store answers a ``get()`` without a limit with one SQL
    statement holding a variable per record, and SQLite allows 32,766: past
    that many chunks or sentences the read fails with "too many SQL variables"
    (found when the growth benchmark built 100 copies of the corpus). Pages of
    ``limit``/``offset`` keep every statement small; writers hold the store lock
    meanwhile, and readers reload on the change marker anyway.
    """
    found: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        page = collection.get(where=where, include=include, limit=READ_PAGE, offset=offset)
        found["ids"] += page["ids"]
        for key in include:
            found[key] += list(page[key]) if page[key] is not None else []
        if len(page["ids"]) < READ_PAGE:
            return found
        offset += READ_PAGE

