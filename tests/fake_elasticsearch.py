"""An HTTP server on 127.0.0.1 that answers the part of Elasticsearch 9's REST API that modelsearch uses for
indexing: create, map, delete and refresh indices, aliases, bulk writes. Enough to see what a rebuild or an
index update sends and what the cluster would hold after it, without a cluster. It also plays a cluster that
hangs (accepts, never answers) and one that fails bulk writes, for the failure paths.

It follows Elasticsearch where modelsearch's behaviour depends on it: `DELETE` of an alias name is refused
(the concrete indices must be named), `PUT /<index>/_alias/<name>` adds the alias without removing it from
other indices, writes through an alias reach the index it points to, and a missing index is a 404."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


class FakeCluster:
    def __init__(self):
        self.indices = {}  # name -> {"settings": ..., "mappings": ..., "docs": {id: doc}}
        self.aliases = {}  # alias -> set of index names
        self.requests = []  # (method, path, body)
        self.hung = threading.Event()  # set: every request waits for ever (until close)
        self.closing = threading.Event()
        self.fail_bulk_after = None  # fail the bulk requests after this many
        self.bulks = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()

    # --- what tests look at --------------------------------------------------------------------------------

    def resolve(self, name):
        """The concrete indices a name reaches (itself, or the indices of the alias)."""
        if name in self.indices:
            return [name]
        return sorted(self.aliases.get(name, ()))

    def documents(self, name):
        return {doc_id: doc for index in self.resolve(name) for doc_id, doc in self.indices[index]["docs"].items()}

    def paths(self, method=None):
        return [path for m, path, _body in self.requests if method in (None, m)]

    # --- the API ---------------------------------------------------------------------------------------------

    def answer(self, method, path, query, body):
        parts = [unquote(part) for part in path.strip("/").split("/") if part]
        if not parts:
            return 200, {"version": {"number": "9.1.0", "build_flavor": "default"}, "tagline": "You Know, for Search"}
        if parts[-1] == "_bulk":
            return self.bulk(parts[0] if len(parts) == 2 else None, body)
        if parts[0] == "_alias" and len(parts) == 2:
            return self.get_alias(parts[1])
        name = parts[0]
        if len(parts) == 1:
            if method == "HEAD" or method == "GET":
                return (200, {name: self.indices[name]}) if name in self.indices else self.missing(name)
            if method == "PUT":
                if name in self.indices or name in self.aliases:
                    return 400, {"error": {"type": "resource_already_exists_exception"}, "status": 400}
                data = json.loads(body or b"{}")
                self.indices[name] = {"settings": data.get("settings"), "mappings": data.get("mappings"), "docs": {}}
                return 200, {"acknowledged": True, "index": name}
            if method == "DELETE":
                if name in self.aliases and name not in self.indices:
                    return 400, {"error": {"type": "illegal_argument_exception", "reason": "matches an alias"}}
                if name not in self.indices:
                    return self.missing(name)
                del self.indices[name]
                for members in self.aliases.values():
                    members.discard(name)
                self.aliases = {alias: members for alias, members in self.aliases.items() if members}
                return 200, {"acknowledged": True}
        action = parts[1]
        targets = self.resolve(name)
        if not targets:
            return self.missing(name)
        if action == "_mapping" and method == "PUT":
            for index in targets:
                self.indices[index]["mappings"] = json.loads(body)
            return 200, {"acknowledged": True}
        if action == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if action == "_alias" and method == "PUT" and len(parts) == 3:
            self.aliases.setdefault(parts[2], set()).add(name)
            return 200, {"acknowledged": True}
        if action == "_doc" and method == "DELETE":
            for index in targets:
                self.indices[index]["docs"].pop(parts[2], None)
            return 200, {"result": "deleted"}
        if action == "_search":
            return 200, {"took": 1, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
        return 400, {"error": {"type": "unsupported_by_the_fake", "reason": f"{method} {path}"}}

    def missing(self, name):
        return 404, {"error": {"type": "index_not_found_exception", "index": name}, "status": 404}

    def get_alias(self, name):
        if name not in self.aliases:
            return 404, {"error": f"alias [{name}] missing", "status": 404}
        return 200, {index: {"aliases": {name: {}}} for index in sorted(self.aliases[name])}

    def bulk(self, default_index, body):
        self.bulks += 1
        if self.fail_bulk_after is not None and self.bulks > self.fail_bulk_after:
            return 503, {"error": {"type": "unavailable_shards_exception"}, "status": 503}
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        items = []
        position = 0
        while position < len(lines):
            ((operation, meta),) = lines[position].items()
            index = meta.get("_index", default_index)
            targets = self.resolve(index)
            if operation in ("index", "create"):
                document = lines[position + 1]
                position += 2
            else:
                document = None
                position += 1
            if len(targets) != 1:
                items.append({operation: {"_index": index, "status": 404 if not targets else 400}})
                continue
            docs = self.indices[targets[0]]["docs"]
            if document is None:
                docs.pop(meta["_id"], None)
            else:
                docs[meta["_id"]] = document
            items.append({operation: {"_index": targets[0], "_id": meta["_id"], "status": 200}})
        errors = any(item[next(iter(item))]["status"] >= 300 for item in items)
        return 200, {"took": 1, "errors": errors, "items": items}

    def _handler(self):
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                with cluster.lock:
                    cluster.requests.append((self.command, parts.path, body))
                while cluster.hung.is_set() and not cluster.closing.is_set():
                    cluster.closing.wait(0.05)
                if cluster.closing.is_set():
                    return
                with cluster.lock:
                    status, payload = cluster.answer(self.command, parts.path, parts.query, body)
                data = b"" if self.command == "HEAD" else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=9")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _serve

        return Handler
