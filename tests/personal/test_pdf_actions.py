"""PDF actions hidden behind indirect objects (issue 9, item 9), uploaded over HTTP as the attacker did: a link whose
/S is a reference to /Launch, javascript: and file: links (also disguised), in annotations, outlines and the
names tree. Each is refused with the message, and nothing is stored; an ordinary web link is still accepted."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from .test_documents_pages import upload

REFUSED = "berisi skrip"


def _name(value: str) -> NameObject:
    return NameObject(value)


def _pdf(build) -> bytes:
    """A one-page PDF; ``build(writer, page)`` adds the part under test."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    build(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _link(writer, page, action: DictionaryObject) -> None:
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Link"),
            _name("/Rect"): ArrayObject([NumberObject(10), NumberObject(10), NumberObject(200), NumberObject(40)]),
            _name("/A"): writer._add_object(action),
        }
    )
    page[_name("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _uri_action(writer, uri: str, *, indirect: bool = False) -> DictionaryObject:
    target = TextStringObject(uri)
    return DictionaryObject(
        {_name("/S"): _name("/URI"), _name("/URI"): writer._add_object(target) if indirect else target}
    )


def launch_through_an_indirect_s(writer, page):
    action = DictionaryObject(
        {_name("/S"): writer._add_object(_name("/Launch")), _name("/F"): TextStringObject("calc.exe")}
    )
    _link(writer, page, action)


def javascript_uri_link(writer, page):
    _link(writer, page, _uri_action(writer, "javascript:app.alert(1)"))


def disguised_javascript_uri_link(writer, page):
    _link(writer, page, _uri_action(writer, " \x01JaVa\tScRiPt:app.alert(1)"))


def javascript_uri_behind_a_reference(writer, page):
    _link(writer, page, _uri_action(writer, "javascript:app.alert(1)", indirect=True))


def file_uri_link(writer, page):
    _link(writer, page, _uri_action(writer, "file:///C:/Windows/System32/calc.exe"))


def javascript_uri_in_an_outline(writer, page):
    item = DictionaryObject(
        {
            _name("/Title"): TextStringObject("Bab 1"),
            _name("/A"): writer._add_object(_uri_action(writer, "javascript:x")),
        }
    )
    item_ref = writer._add_object(item)
    outlines = DictionaryObject(
        {_name("/Type"): _name("/Outlines"), _name("/First"): item_ref, _name("/Last"): item_ref}
    )
    outlines_ref = writer._add_object(outlines)
    item[_name("/Parent")] = outlines_ref
    writer.root_object[_name("/Outlines")] = outlines_ref


def file_uri_in_the_names_tree(writer, page):
    destination = DictionaryObject({_name("/D"): writer._add_object(_uri_action(writer, "FILE://server/share/x"))})
    tree = DictionaryObject(
        {_name("/Names"): ArrayObject([TextStringObject("tujuan"), writer._add_object(destination)])}
    )
    writer.root_object[_name("/Names")] = DictionaryObject({_name("/Dests"): writer._add_object(tree)})


def open_action_behind_a_reference(writer, page):
    writer.root_object[_name("/OpenAction")] = writer._add_object(_uri_action(writer, "https://contoh.id"))


@pytest.mark.parametrize(
    "build",
    [
        launch_through_an_indirect_s,
        javascript_uri_link,
        disguised_javascript_uri_link,
        javascript_uri_behind_a_reference,
        file_uri_link,
        javascript_uri_in_an_outline,
        file_uri_in_the_names_tree,
        open_action_behind_a_reference,
    ],
)
def test_a_pdf_with_a_hidden_action_is_refused_over_http_and_nothing_is_stored(
    client, citizen, signed_in, stored, build
):
    signed_in(client, citizen)
    response = upload(client, _pdf(build), "dokumen.pdf", title="Surat saya")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert REFUSED in page and 'value="Surat saya"' in page  # the message, and what was typed is kept
    assert stored() == (0, [])


def test_a_pdf_with_an_ordinary_web_link_is_accepted(client, citizen, signed_in, stored):
    signed_in(client, citizen)
    pdf = _pdf(lambda writer, page: _link(writer, page, _uri_action(writer, "https://mpp.contoh.go.id/layanan")))
    assert upload(client, pdf, "dokumen.pdf").status_code == 303
    assert stored()[0] == 1
