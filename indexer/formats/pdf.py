"""PDF: pdfium (pypdfium2) reads the text, laid out as pdfminer would (``pdf_layout``);
pdfminer.six reads what pdfium cannot open and names the defect; OCR (pdftoppm and tesseract,
French) reads pages that have no text layer."""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pypdfium2 as pdfium
from pdfminer.converter import TextConverter
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psexceptions import PSEOF
from pdfminer.utils import decode_text

from archive.text import plural
from indexer.formats.base import Extraction, ExtractionError, clean, short_title, tidy
from indexer.formats.pdf_layout import page_text

__all__ = ["extract", "ocr_available"]

_PDF_BROKEN = "PDF illisible ou corrompu"
_CID = re.compile(r"\(cid:\d+\)")
_PRODUCER_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.I)
_OCR_NOTE = "OCR (tesseract, fra)"
# pdfium's « hyphen at the end of a line, line joined » mark; the hyphen is kept, as pdfminer does.
_JOINED_HYPHEN = "\ufffe"
_PDFIUM_LOCK = threading.Lock()  # pdfium is not thread-safe; extraction workers are processes anyway


def extract(path: Path, max_bytes: int) -> Extraction:
    """Text of every page (separated by \\f), OCR when no page has any; Info title and date."""
    with open(path, "rb") as fp:
        _check_pdf_envelope(fp)
    read = _read_with_pdfium(path)
    if read is None:
        read = _read_with_pdfminer(path)
    texts, failed, title, date = read
    notes = [plural(failed, "page illisible ignorée", "pages illisibles ignorées")] if failed else []
    if not texts:
        raise ExtractionError(f"{_PDF_BROKEN} (aucune page)")
    if failed == len(texts):
        raise ExtractionError(f"{_PDF_BROKEN} (aucune page lisible)")
    if not any(text.strip() for text in texts):
        texts = _ocr_pdf(path, len(texts))
        notes.append(_OCR_NOTE)
    text = "\f".join(tidy(text) for text in texts)
    return Extraction(text, len(texts), "pdf", title, date, None, notes)


_PageTexts = tuple[list[str], int, str | None, str | None]


def _read_with_pdfium(path: Path) -> _PageTexts | None:
    """(page texts, failed pages, title, creation date), or None when pdfium cannot open the file."""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return None  # pdfminer names the defect (password, encryption, broken structure)
        try:
            texts: list[str] = []
            failed = 0
            for number in range(len(document)):
                try:
                    page = document[number]
                    textpage = page.get_textpage()
                    texts.append(clean(page_text(textpage, *page.get_size()).replace(_JOINED_HYPHEN, "-")))
                except pdfium.PdfiumError:
                    texts.append("")
                    failed += 1
            info = document.get_metadata_dict(skip_empty=True)
        finally:
            document.close()
    return texts, failed, *_info_fields(info.get("Title"), info.get("CreationDate"))


def _read_with_pdfminer(path: Path) -> _PageTexts:
    with open(path, "rb") as fp:
        try:
            document = PDFDocument(PDFParser(fp), password="")
        except PDFPasswordIncorrect:
            raise ExtractionError("PDF protégé par mot de passe") from None
        except PDFEncryptionError:
            raise ExtractionError("PDF chiffré par une méthode non prise en charge") from None
        except (MemoryError, ExtractionError):
            raise
        except Exception as exc:  # pdfminer raises many kinds on broken files
            raise ExtractionError(f"{_PDF_BROKEN} ({_pdf_error_detail(exc)})") from None
        title, date = _pdf_info(document)
        texts, failed = _pdf_page_texts(document)
    return texts, failed, title, date


def _check_pdf_envelope(fp: io.BufferedReader) -> None:
    """Reject files without a %PDF header or without a final %%EOF (truncated)."""
    if b"%PDF-" not in fp.read(1024):
        raise ExtractionError(f"{_PDF_BROKEN} (en-tête %PDF absent)")
    size = fp.seek(0, os.SEEK_END)
    fp.seek(max(0, size - 65536))
    tail = fp.read().rstrip(b"\x00\t\n\r\f ")
    if b"%%EOF" not in tail[-1024:]:
        raise ExtractionError(f"{_PDF_BROKEN} (fichier tronqué)")
    fp.seek(0)


def _pdf_error_detail(exc: BaseException) -> str:
    if isinstance(exc, PSEOF | EOFError):
        return "fin de fichier inattendue"
    if isinstance(exc, RecursionError):
        return "structure trop imbriquée"
    message = str(exc)
    if "No /Root" in message or "Catalog" in message:
        return "catalogue introuvable"
    return f"structure invalide : {type(exc).__name__}"


def _pdf_page_texts(document: PDFDocument) -> tuple[list[str], int]:
    """Text of every page (NUL and (cid:N) junk removed) and the failed-page count."""
    resources = PDFResourceManager(caching=True)
    buffer = io.StringIO()
    device = TextConverter(resources, buffer, laparams=LAParams())
    interpreter = PDFPageInterpreter(resources, device)
    texts: list[str] = []
    failed = 0
    try:
        for page in PDFPage.create_pages(document):
            try:
                interpreter.process_page(page)
            except (MemoryError, ExtractionError):
                raise
            except Exception:  # one broken page must not lose the document
                failed += 1
            page_text = buffer.getvalue().replace("\f", "")
            texts.append(_CID.sub("", clean(page_text)))
            buffer.seek(0)
            buffer.truncate(0)
    except (MemoryError, ExtractionError):
        raise
    except Exception as exc:
        if not texts:
            raise ExtractionError(f"{_PDF_BROKEN} ({_pdf_error_detail(exc)})") from None
        failed += 1  # page tree broken after some pages: keep what was read
    finally:
        device.close()
    return texts, failed


def _pdf_info(document: PDFDocument) -> tuple[str | None, str | None]:
    """(Title, CreationDate) from the newest Info dictionary that has them."""
    title = date = None
    try:
        for info in document.info:
            if title is None:
                title = _pdf_string(info.get("Title"))
            if date is None:
                date = _pdf_string(info.get("CreationDate"))
    except (MemoryError, ExtractionError):
        raise
    except Exception:
        pass  # broken metadata is not worth failing the document
    return _info_fields(title, date)


def _info_fields(title: str | None, date: str | None) -> tuple[str | None, str | None]:
    """The Info dictionary's Title (without the « Microsoft Word - » a conversion prefixes) and
    CreationDate, as short single-line texts, whichever library read them."""
    if title:
        title = _PRODUCER_PREFIX.sub("", title)
    return short_title(title), short_title(date)


def _pdf_string(value: object) -> str | None:
    value = resolve1(value)
    if isinstance(value, bytes):
        return decode_text(value)
    if isinstance(value, str):
        return value
    return None


@functools.lru_cache(maxsize=1)
def ocr_available() -> bool:
    """True when tesseract (with the fra language) and pdftoppm are installed."""
    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    if not (tesseract and pdftoppm):
        return False
    try:
        listing = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "fra" in (listing.stdout + listing.stderr).split()


def _ocr_pdf(path: Path, pages: int) -> list[str]:
    """OCR every page (pdftoppm -r 200 then tesseract -l fra)."""
    if not ocr_available():
        raise ExtractionError("pas de couche texte (PDF image ; OCR indisponible)")
    from indexer.sandbox import die_with_parent  # the sandbox imports the formats: not at the top

    tesseract, pdftoppm = shutil.which("tesseract"), shutil.which("pdftoppm")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    texts = []
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        image = Path(tmp, "page")
        for number in range(1, pages + 1):
            try:
                subprocess.run(
                    [pdftoppm, "-r", "200", "-png", "-singlefile"]
                    + ["-f", str(number), "-l", str(number), str(path), str(image)],
                    check=True,
                    capture_output=True,
                    preexec_fn=die_with_parent,
                )
                result = subprocess.run(
                    [tesseract, f"{image}.png", "stdout", "-l", "fra"],
                    check=True,
                    capture_output=True,
                    env=env,
                    preexec_fn=die_with_parent,
                )
            except (OSError, subprocess.CalledProcessError):
                raise ExtractionError(f"OCR en échec (page {number})") from None
            texts.append(clean(result.stdout.decode("utf-8", "replace")))
    if not any(text.strip() for text in texts):
        raise ExtractionError("pas de couche texte (PDF image ; OCR sans résultat)")
    return texts
