"""MediaStore.fetch: attachments by url (loopback server, allow-list), path inside the root, platform media id."""
from __future__ import annotations

import pytest

from shop.media import MediaRejected, MediaStore
from tests.media.conftest import jpeg, png


def _code(fn, *args) -> str:
    with pytest.raises(MediaRejected) as e:
        fn(*args)
    return e.value.code


def test_url_from_an_allowed_loopback_host_is_fetched_and_validated(store, server):
    url = server.put("/p.jpg", jpeg())
    stored = store.fetch({"type": "image", "url": url}, "image")
    assert stored.mime == "image/jpeg" and store.get(stored.media_id) == stored
    assert server.requests == ["/p.jpg"]


def test_hosts_not_on_the_list_are_never_contacted(tmp_path, server):
    url = server.put("/p.png", png())
    closed = MediaStore(tmp_path)  # default: no host allowed
    assert _code(closed.fetch, {"type": "image", "url": url}, "image") == "host_not_allowed"
    other = MediaStore(tmp_path, allowed_hosts=("cdn.example.com",), allow_private=True)
    assert _code(other.fetch, {"type": "image", "url": url}, "image") == "host_not_allowed"
    assert server.requests == []


def test_loopback_needs_explicit_permission_even_when_listed(tmp_path, server):
    url = server.put("/p.png", png())
    listed_only = MediaStore(tmp_path, allowed_hosts=("127.0.0.1", "localhost"))
    assert _code(listed_only.fetch, {"type": "image", "url": url}, "image") == "host_not_allowed"
    assert _code(listed_only.fetch, {"type": "image", "url": url.replace("127.0.0.1", "localhost")},
                 "image") == "host_not_allowed"
    assert server.requests == []


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/x", "gopher://127.0.0.1/",
    "http:///nohost", "http://127.0.0.1:99999/x", "x" * 3000,
])
def test_malformed_urls_are_refused(store, url):
    assert _code(store.fetch, {"type": "image", "url": url}, "image") in ("bad_reference", "host_not_allowed")


def test_oversized_downloads_stop_at_the_cap(tmp_path, server):
    store = MediaStore(tmp_path, {"image": 5000}, allowed_hosts=("127.0.0.1",), allow_private=True, timeout=3)
    declared = server.put("/big.png", png((500, 500), (1, 2, 3)) + bytes(10000))
    assert _code(store.fetch, {"type": "image", "url": declared}, "image") == "too_large"
    # A server that hides the length is cut off after the cap as well.
    undeclared = server.put("/chunked.png", bytes(20000), headers={"Content-Length": "1"})
    assert _code(store.fetch, {"type": "image", "url": undeclared}, "image") in ("too_large", "unsupported_type")


def test_errors_and_bad_content_from_the_server(store, server):
    assert _code(store.fetch, {"type": "image", "url": server.base + "/missing.jpg"}, "image") == "fetch_failed"
    redirect = server.put("/moved", b"", status=302, headers={"Location": "http://169.254.169.254/"})
    assert _code(store.fetch, {"type": "image", "url": redirect}, "image") == "fetch_failed"
    html = server.put("/page", b"<html>not an image</html>")
    assert _code(store.fetch, {"type": "image", "url": html}, "image") == "unsupported_type"


def test_unreachable_server_fails_cleanly(tmp_path):
    store = MediaStore(tmp_path, allowed_hosts=("127.0.0.1",), allow_private=True, timeout=1)
    # Port 9 (discard) is closed on the test machine: connection refused.
    assert _code(store.fetch, {"type": "image", "url": "http://127.0.0.1:9/x.png"}, "image") == "fetch_failed"


def test_platform_media_id_goes_through_the_template(tmp_path, server):
    server.put("/cgi-bin/media/get?media_id=media_001", jpeg())
    store = MediaStore(tmp_path, allowed_hosts=("127.0.0.1",), allow_private=True, timeout=3,
                       platform_url=server.base + "/cgi-bin/media/get?media_id={media_id}")
    stored = store.fetch({"type": "image", "media_id": "media_001"}, "image")
    assert stored.mime == "image/jpeg"
    assert _code(store.fetch, {"type": "image", "media_id": "../x?y=1&z"}, "image") == "bad_id"
    unconfigured = MediaStore(tmp_path)
    assert _code(unconfigured.fetch, {"type": "image", "media_id": "media_001"}, "image") == "fetch_failed"
    assert server.requests == ["/cgi-bin/media/get?media_id=media_001"]


def test_our_own_media_id_is_read_from_the_store(store):
    stored = store.save(png(), "image")
    assert store.fetch({"type": "image", "media_id": stored.media_id}, "image") == stored


def test_paths_only_inside_the_root(store, tmp_path):
    (store.root / "uploads").mkdir(parents=True)
    (store.root / "uploads" / "ab12.jpg").write_bytes(jpeg())
    assert store.fetch({"type": "image", "path": "uploads/ab12.jpg"}, "image").mime == "image/jpeg"
    outside = tmp_path / "outside.png"
    outside.write_bytes(png())
    for ref in ("../outside.png", str(outside), "uploads/../../outside.png", "uploads/missing.jpg", "a\x00b"):
        assert _code(store.fetch, {"type": "image", "path": ref}, "image") == "bad_id"
    (store.root / "uploads" / "link.png").symlink_to(outside)
    assert _code(store.fetch, {"type": "image", "path": "uploads/link.png"}, "image") == "bad_id"


@pytest.mark.parametrize("attachment", [{}, {"type": "image"}, "uploads/x.jpg", None, {"type": "image", "url": 5}])
def test_attachments_without_a_usable_reference(store, attachment):
    assert _code(store.fetch, attachment, "image") == "bad_reference"


def test_attachment_of_the_other_kind_is_refused(store):
    assert _code(store.fetch, {"type": "voice", "media_id": "m1"}, "image") == "unsupported_type"


def test_a_trickling_server_is_cut_off_at_the_deadline(tmp_path):
    import socket
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"\xff")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    store = MediaStore(tmp_path, allowed_hosts=("127.0.0.1",), allow_private=True, timeout=1)
    started = time.monotonic()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/slow.jpg"
        assert _code(store.fetch, {"type": "image", "url": url}, "image") == "fetch_failed"
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        listener.close()
        thread.join(5)
