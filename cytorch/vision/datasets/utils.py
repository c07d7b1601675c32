"""Fetching and checking dataset files: mirrors, checksums, resumable retries, archives.

`download_file` tries each mirror in turn. On each it makes up to `retries` attempts; a dropped
connection leaves the bytes received so far in `<file>.part`, and the next attempt asks only for the
rest (an HTTP Range request; a server that ignores it sends the whole file again). A finished file is
checked against its md5 or sha256 before it takes its real name; a file that fails the check is deleted.
When no mirror works the error lists every reason and says where to put the files by hand.
"""
import gzip
import hashlib
import http.client
import os
import re
import shutil
import tarfile
import time
import urllib.error
import urllib.request
import zipfile

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_file", "download_url",
           "extract_archive", "download_and_extract_archive"]

USER_AGENT = "cytorch-vision"
RETRY_DELAY = 1.0      # seconds before the second attempt on a mirror; doubles after each failure
TIMEOUT = 30.0         # seconds a connection may stay silent
_CHUNK = 1 << 20
# HTTP statuses that another attempt on the same mirror cannot fix
_PERMANENT = {400, 401, 403, 404, 405, 410, 451, 501}


def _digest(fpath, algorithm, chunk_size=_CHUNK):
    h = hashlib.new(algorithm)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            h.update(chunk)
    return h.hexdigest()


def calculate_md5(fpath, chunk_size=_CHUNK):
    """The md5 hex digest of a file."""
    return _digest(fpath, "md5", chunk_size)


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def _mismatch(fpath, md5=None, sha256=None):
    """None when fpath matches the given checksums, else a description of the difference."""
    if md5 is not None:
        got = calculate_md5(fpath)
        if got != md5.lower():
            return f"md5 {got}, expected {md5}"
    if sha256 is not None:
        got = _digest(fpath, "sha256")
        if got != sha256.lower():
            return f"sha256 {got}, expected {sha256}"
    return None


def check_integrity(fpath, md5=None, sha256=None):
    """True when fpath is a file and matches the checksums given (any file passes when none are)."""
    if not os.path.isfile(fpath):
        return False
    return _mismatch(fpath, md5, sha256) is None


class _Resume(Exception):
    """The transfer stopped early; what arrived is kept in the .part file."""


def _fetch(url, part, timeout):
    """Append the rest of url's body to part (a Range request when part already holds some)."""
    have = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        resp = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:       # nothing left past `have`: the checksum decides if it is whole
            return
        raise
    with resp:
        mode = "wb"
        if have and resp.status == 206:
            m = re.match(r"bytes (\d+)-", resp.headers.get("Content-Range", ""))
            if not m or int(m.group(1)) != have:
                os.remove(part)
                raise _Resume(f"the server resumed at the wrong offset ({resp.headers.get('Content-Range')!r})")
            mode = "ab"
        else:
            have = 0                     # a plain 200: the whole body again
        length = resp.headers.get("Content-Length")
        expected = have + int(length) if length is not None and length.isdigit() else None
        with open(part, mode) as f:
            try:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    f.write(chunk)
            except http.client.IncompleteRead as e:
                f.write(e.partial)
                raise _Resume(f"connection closed after {f.tell()} of {expected} bytes") from None
    size = os.path.getsize(part)
    if expected is not None and size < expected:
        raise _Resume(f"connection closed after {size} of {expected} bytes")


def _reason(e):
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return f"{type(e).__name__}: {e}" if not isinstance(e, _Resume) else str(e)


def download_file(urls, root, filename, md5=None, sha256=None, retries=3, timeout=None):
    """Fetch `filename` into `root` from the first of `urls` that delivers it intact.

    Args:
        urls (str or list of str): full URLs of the same file (mirrors), tried in order.
        root (str): directory to write to (created if missing).
        filename (str): name of the file in root.
        md5, sha256 (str, optional): expected checksums.
        retries (int): attempts per mirror; each resumes where the previous one stopped.
        timeout (float, optional): seconds a connection may stay silent (default TIMEOUT).

    Returns:
        The path of the verified file. A file already there that passes the checks is not fetched again.

    Raises:
        RuntimeError: "could not download <file> from any mirror: <reasons>; put the files in <root> by hand".
    """
    if isinstance(urls, str):
        urls = [urls]
    timeout = TIMEOUT if timeout is None else timeout
    root = os.path.expanduser(os.fspath(root))
    os.makedirs(root, exist_ok=True)
    fpath = os.path.join(root, filename)
    if check_integrity(fpath, md5, sha256):
        return fpath
    part = fpath + ".part"
    reasons = []
    for url in urls:
        attempt, fresh_retry = 0, False
        while attempt < retries:
            resumed = os.path.exists(part) and os.path.getsize(part) > 0
            try:
                _fetch(url, part, timeout)
            except (urllib.error.URLError, OSError, http.client.HTTPException, _Resume, ValueError) as e:
                reasons.append(f"{url}: {_reason(e)}")
                if isinstance(e, urllib.error.HTTPError) and e.code in _PERMANENT:
                    break
                if isinstance(e, ValueError):          # a malformed URL
                    break
                attempt += 1
                if attempt < retries:
                    time.sleep(RETRY_DELAY * 2 ** (attempt - 1))
                continue
            bad = _mismatch(part, md5, sha256)
            if bad is None:
                os.replace(part, fpath)
                return fpath
            os.remove(part)                            # never keep a file that fails its checksum
            reasons.append(f"{url}: checksum mismatch ({bad})")
            if resumed and not fresh_retry:            # the old part may be the culprit: once more from zero
                fresh_retry = True
                continue
            break
    raise RuntimeError(f"could not download {filename} from any mirror: {'; '.join(reasons) or 'no mirror given'}; "
                       f"put the files in {root} by hand")


def download_url(url, root, filename=None, md5=None, sha256=None, retries=3, timeout=None):
    """torchvision's download_url: fetch url into root/filename (default: the URL's last part)."""
    filename = filename or os.path.basename(urllib.request.urlparse(url).path)
    return download_file([url], root, filename, md5=md5, sha256=sha256, retries=retries, timeout=timeout)


def _safe_members(tar, to_path):
    base = os.path.realpath(to_path)
    for m in tar.getmembers():
        target = os.path.realpath(os.path.join(to_path, m.name))
        if not (target == base or target.startswith(base + os.sep)) or m.issym() or m.islnk() or m.isdev():
            raise RuntimeError(f"refusing to extract {m.name!r}: it points outside {to_path} or is a link/device")
        yield m


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a .tar(.gz/.bz2/.xz), .tgz, .zip or single-file .gz archive into to_path
    (default: its directory). Members that would land outside to_path are refused.

    Returns:
        to_path.
    """
    to_path = os.path.dirname(from_path) if to_path is None else to_path
    try:
        if zipfile.is_zipfile(from_path):
            with zipfile.ZipFile(from_path) as z:
                z.extractall(to_path)
        elif from_path.endswith((".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")):
            with tarfile.open(from_path, "r:*") as tar:
                tar.extractall(to_path, members=list(_safe_members(tar, to_path)))
        elif from_path.endswith(".gz"):
            out = os.path.join(to_path, os.path.basename(from_path)[:-3])
            with gzip.open(from_path, "rb") as src, open(out + ".part", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(out + ".part", out)
        else:
            raise RuntimeError(f"{from_path}: unknown archive type")
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as e:
        raise RuntimeError(f"{from_path}: cannot extract: {e}") from e
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None, sha256=None,
                                 remove_finished=False, mirrors=None):
    """Fetch an archive (from url, then each base URL in mirrors) and extract it into extract_root."""
    filename = filename or os.path.basename(urllib.request.urlparse(url).path)
    urls = [url] + [m.rstrip("/") + "/" + filename for m in (mirrors or [])]
    path = download_file(urls, download_root, filename, md5=md5, sha256=sha256)
    return extract_archive(path, extract_root or download_root, remove_finished)
