"""The one checked upload path: names, content, re-encoding, zip bombs, and how files are served."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from gridcheck.core.uploads import clean_name, upload_accept, upload_response, xlsx_check

MB = 1024 * 1024


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_a_valid_photo_is_re_encoded_under_a_generated_name():
    payload = png_bytes() + b"<script>alert(1)</script>"  # trailing bytes a browser might sniff
    accepted = upload_accept(payload, kind="photo", max_bytes=MB, name="现场照片.PNG")
    stored = accepted.file.read()
    assert accepted.content_type == "image/png" and stored.startswith(b"\x89PNG")
    assert b"<script>" not in stored
    assert accepted.file.name.endswith(".png") and "现场" not in accepted.file.name
    assert accepted.original_name == "现场照片.PNG"
    assert upload_accept(jpeg_bytes(), kind="photo", max_bytes=MB, name="a.jpeg").content_type == "image/jpeg"


@pytest.mark.parametrize(
    "name, content",
    [
        ("photo.html", png_bytes()),  # a valid image with an HTML name
        ("photo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("photo.png", b"<html><script>alert(1)</script></html>"),  # HTML with an image name
        ("photo.jpg", b"GIF89a" + b"\x00" * 20),
    ],
)
def test_anything_but_a_real_photo_with_a_photo_name_is_refused(name, content):
    with pytest.raises(ValidationError):
        upload_accept(content, kind="photo", max_bytes=MB, name=name)


def _png_claiming(width: int, height: int) -> bytes:
    data = bytearray(png_bytes((1, 1)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def test_a_400_megapixel_png_is_refused_without_decoding_it():
    with pytest.raises(ValidationError) as refused:
        upload_accept(_png_claiming(20_000, 20_000), kind="photo", max_bytes=MB, name="huge.png")
    assert refused.value.code == "upload_refused"


def test_size_is_checked_before_the_content():
    with pytest.raises(ValidationError) as refused:
        upload_accept(png_bytes((600, 600)), kind="photo", max_bytes=100, name="a.png")
    assert refused.value.code == "upload_too_large"


def test_an_xlsx_zip_bomb_is_refused_before_anyone_unpacks_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * MB))
    bomb = buffer.getvalue()
    assert len(bomb) < MB
    with pytest.raises(ValidationError):
        xlsx_check(bomb, "bomb.xlsx")
    with pytest.raises(ValidationError):
        upload_accept(b"PK\x03\x04 not a zip", kind="xlsx", max_bytes=MB, name="a.xlsx")


def test_a_zip_claiming_a_version_python_cannot_read_is_refused_not_a_server_error():
    """Found by benchmarks/fuzz_readers.py: one changed byte in the central directory ("version needed to
    extract" 13.3) made ``zipfile`` raise ``NotImplementedError`` past the check."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 133  # version needed to extract: 13.3
    with pytest.raises(ValidationError):
        xlsx_check(bytes(data), "a.xlsx")


def test_a_real_workbook_passes():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["户号", "户名"])
    out = io.BytesIO()
    book.save(out)
    accepted = upload_accept(out.getvalue(), kind="xlsx", max_bytes=MB, name="客户.xlsx")
    assert accepted.file.name.endswith(".xlsx")


def test_pdf_and_csv_kinds():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    assert (
        upload_accept(out.getvalue(), kind="pdf", max_bytes=MB, name="回执.pdf").content_type
        == "application/pdf"
    )
    with pytest.raises(ValidationError):
        upload_accept(b"%PDF-1.7 <script>", kind="pdf", max_bytes=MB, name="r.pdf")
    assert upload_accept("户号,户名\n1,张三\n".encode("gb18030"), kind="csv", max_bytes=MB, name="a.csv")
    with pytest.raises(ValidationError):
        upload_accept(png_bytes(), kind="csv", max_bytes=MB, name="a.csv")


def test_names_are_kept_as_text_only():
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("C:\\Users\\x\\回执\u200b.pdf") == "回执.pdf"


def test_uploads_are_served_as_attachments_nothing_can_run_in(tmp_path):
    from django.core.files import File

    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    with open(path, "rb") as handle:
        response = upload_response(File(handle), content_type="application/pdf", download_name="回执.pdf")
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        response.file_to_stream.close()
    with open(path, "rb") as handle:
        html = upload_response(
            File(handle), content_type="text/html", download_name="x.html", inline_image=True
        )
        assert html["Content-Disposition"].startswith("attachment")
        html.file_to_stream.close()
