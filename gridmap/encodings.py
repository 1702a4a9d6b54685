"""Which text encoding a Shapefile's attribute table (.dbf) is in, and why.

Bureau Shapefiles made on Chinese Windows are GBK/GB18030 and often come without the ``.cpg``
file that would say so; GDAL then reads them as ISO-8859-1 and the field names turn into mojibake
(``´úÂë`` for 代码). The importer decides from the bytes themselves: strict UTF-8 first (UTF-8
text is almost never valid by accident), then strict GB18030 (a superset of GBK and GB2312), and
only when neither decodes, charset-normalizer's best guess. charset-normalizer is not asked first
because on short Chinese texts it prefers Korean cp949 over GBK.
"""

from __future__ import annotations

import codecs
import struct
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

# How the encoding was chosen (stored with the import; described in the reader's language).
OPTION = "option"  # --encoding
CPG = "cpg"  # declared by the .cpg file
ASCII = "ascii"  # plain ASCII text: every encoding reads it the same
UTF8 = "utf-8"  # valid UTF-8
GB18030 = "gb18030"  # not UTF-8, valid GB18030
GUESSED = "guessed"  # neither: charset-normalizer's guess
NOT_DBF = "not-dbf"  # GeoJSON / GeoPackage: UTF-8 by definition

# Read at most this much of a .dbf to decide: a county's boundary tables are far smaller.
SAMPLE_BYTES = 8 * 1024 * 1024


class EncodingError(ValueError):
    """No encoding reads the attribute table; the message asks for --encoding."""


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding the attributes are read with (None: GDAL's own, i.e. the file's declared one)
    and why; ``declared`` is what a .cpg said."""

    encoding: str | None
    reason: str
    declared: str = ""

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form, stored on AreaImport.report["encoding"]."""
        return {key: value or "" for key, value in asdict(self).items()}


def describe(choice: dict[str, str]) -> str:
    """The stored choice as a sentence in the active language."""
    encoding = (choice.get("encoding") or "UTF-8").upper()
    values = {"encoding": encoding, "declared": choice.get("declared", "")}
    texts = {
        OPTION: _("Attribute encoding %(encoding)s, as given with --encoding."),
        CPG: _("Attribute encoding %(declared)s, as declared by the file's .cpg."),
        ASCII: _("Attribute encoding: plain ASCII text (no .cpg needed)."),
        UTF8: _("Attribute encoding UTF-8: the file has no .cpg and its text is valid UTF-8."),
        GB18030: _(
            "Attribute encoding GB18030 (GBK): the file has no .cpg and its text is not "
            "UTF-8 but valid GB18030."
        ),
        GUESSED: _(
            "Attribute encoding %(encoding)s, guessed by charset-normalizer: the file has no "
            ".cpg and its text is neither UTF-8 nor GB18030. Check the names; name the "
            "encoding with --encoding if they are wrong."
        ),
        NOT_DBF: _("Attribute encoding UTF-8 (GeoJSON and GeoPackage text is always UTF-8)."),
    }
    return texts.get(choice.get("reason", ""), texts[NOT_DBF]) % values


def choose_encoding(path: Path, layer: str, given: str | None) -> EncodingChoice:
    """The encoding to read ``layer`` of ``path`` with: ``given`` (--encoding) wins, then a .cpg,
    then what the .dbf's bytes decode as."""
    if given:
        return EncodingChoice(encoding=given, reason=OPTION)
    files = _shapefile_parts(path, layer)
    if files is None:
        return EncodingChoice(encoding=None, reason=NOT_DBF)
    dbf, cpg = files
    if cpg is not None:
        return EncodingChoice(encoding=None, reason=CPG, declared=cpg.strip() or "?")
    texts = [text for text in _dbf_texts(dbf) if not text.isascii()]
    if not texts:
        return EncodingChoice(encoding=None, reason=ASCII)
    for encoding, reason in (("utf-8", UTF8), ("gb18030", GB18030)):
        if all(_decodes(text, encoding) for text in texts):
            return EncodingChoice(encoding=encoding, reason=reason)
    best = from_bytes(b"\n".join(texts)).best()
    if best is None or not all(_decodes(text, best.encoding) for text in texts):
        raise EncodingError(
            _(
                "Cannot tell the encoding of the attribute table: it is neither UTF-8 nor "
                "GB18030 and has no .cpg file. Name it with --encoding, e.g. --encoding BIG5."
            )
        )
    return EncodingChoice(encoding=best.encoding, reason=GUESSED)


def _decodes(text: bytes, encoding: str) -> bool:
    # Not final: a writer that cut a value at the field width may have split the last character.
    try:
        codecs.getincrementaldecoder(encoding)(errors="strict").decode(text, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _shapefile_parts(path: Path, layer: str) -> tuple[bytes, str | None] | None:
    """The .dbf bytes (a sample) and the .cpg text of a Shapefile layer, or None when ``path``
    is no Shapefile (or a Shapefile without attribute table)."""
    suffix = path.suffix.lower()
    if suffix == ".shp":
        stem = path.stem.lower()
        siblings = {p.name.lower(): p for p in path.parent.iterdir() if p.stem.lower() == stem}
        dbf, cpg = siblings.get(f"{stem}.dbf"), siblings.get(f"{stem}.cpg")
        if dbf is None:
            return None
        with dbf.open("rb") as handle:
            data = handle.read(SAMPLE_BYTES)
        return data, cpg.read_text("ascii", errors="replace") if cpg else None
    if suffix == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = {Path(name).name.lower(): name for name in archive.namelist()}
            dbf, cpg = members.get(f"{layer.lower()}.dbf"), members.get(f"{layer.lower()}.cpg")
            if dbf is None:
                return None
            with archive.open(dbf) as handle:
                data = handle.read(SAMPLE_BYTES)
            declared = archive.read(cpg).decode("ascii", errors="replace") if cpg else None
        return data, declared
    return None


def _dbf_texts(data: bytes) -> list[bytes]:
    """Field names and character values of a dBASE table, as raw bytes, trailing padding cut."""
    if len(data) < 32:
        return []
    records, header_length, record_length = struct.unpack("<IHH", data[4:12])
    fields: list[tuple[int, int, bool]] = []  # offset in the record, length, is text
    texts: list[bytes] = []
    offset = 1  # the deletion flag
    for start in range(32, min(header_length, len(data)) - 31, 32):
        if data[start] == 0x0D:
            break
        descriptor = data[start : start + 32]
        texts.append(descriptor[:11].split(b"\0", 1)[0])
        length = descriptor[16]
        fields.append((offset, length, descriptor[11:12] == b"C"))
        offset += length
    text_fields = [(o, n) for o, n, is_text in fields if is_text]
    for index in range(records):
        start = header_length + index * record_length
        record = data[start : start + record_length]
        if len(record) < record_length:
            break  # past the sample
        for field_offset, length in text_fields:
            value = record[field_offset : field_offset + length].rstrip(b" \0")
            if value:
                texts.append(value)
    return texts
