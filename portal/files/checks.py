"""What an uploaded file must be before the portal stores it: a name, within a size, one of the listed
types, and content whose leading bytes match its extension (a renamed .exe is not a .pdf). One home
for every upload that keeps a file (佐证材料, photographed sign-in sheets); each caller lists its types
and words the first message, and turns the refusal into its domain's error."""
from __future__ import annotations

from portal.core.refusals import Refusal

JPEG = ("image/jpeg", (b"\xff\xd8\xff",))
PNG = ("image/png", (b"\x89PNG\r\n\x1a\n",))
PDF = ("application/pdf", (b"%PDF",))
ZIP_MAGIC = (b"PK\x03\x04",)
OLE_MAGIC = (b"\xd0\xcf\x11\xe0",)  # the pre-2007 Office container (.doc, .xls)
MISMATCH = "文件内容与扩展名不符，请检查后重新上传。"


class UploadRefused(Refusal, ValueError):
    """Why a file is not accepted, in Chinese."""


def check_file(name: str, data: bytes, *, allowed: dict[str, tuple[str, tuple[bytes, ...]]], max_bytes: int,
               missing: str, size_noun: str, types_text: str) -> tuple[str, str]:
    """(file name cut to 200 characters, content type), or UploadRefused saying what is wrong.

    `name`: the upload's name already cleaned (`portal.security.filenames.clean_filename`, a domain
    module this floor may not import); `allowed`: extension -> (content type, acceptable leading bytes);
    `missing`: the message when no file came; `size_noun`: what the file is called in the size message
    (文件, 照片); `types_text`: the message for a type not in the list."""
    if not name or not data:
        raise UploadRefused(missing)
    if len(data) > max_bytes:
        raise UploadRefused(f"{size_noun}超过 {max_bytes // 1024 // 1024} MB，请压缩后再上传。")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise UploadRefused(types_text)
    content_type, magics = allowed[ext]
    if not data.startswith(magics):
        raise UploadRefused(MISMATCH)
    return name[:200], content_type
