"""The one CSV reader (:func:`surveyapp.csvtable.read_table`): text, rows and errors."""

from __future__ import annotations

import codecs

import pytest

from surveyapp.csvtable import InputError, read_table


def texts(table) -> dict[str, list[str]]:
    return {name: table.column(name).to_pylist() for name in table.header}


def error_of(source, **options) -> InputError:
    with pytest.raises(InputError) as caught:
        read_table(source, **options)
    return caught.value


def test_columns_are_text_and_rows_are_numbered_as_a_spreadsheet_shows_them():
    table = read_table(b"id,score,note\nA,5,\nB,007,x\n", name="R.csv")
    assert table.header == ("id", "score", "note") and table.n == 2
    assert texts(table) == {"id": ["A", "B"], "score": ["5", "007"], "note": ["", "x"]}
    # the header is row 1, as in a spreadsheet and in `responses import`
    assert table.rows.tolist() == [2, 3] and table.name == "R.csv"


def test_blank_lines_are_skipped_and_still_counted():
    table = read_table(b"a,b\n1,2\n\n  \n,\n3,4\r\n\r\n5,6")
    assert texts(table) == {"a": ["1", "3", "5"], "b": ["2", "4", "6"]}
    assert table.rows.tolist() == [2, 6, 8]


def test_a_quoted_field_may_hold_line_breaks_commas_and_quotes():
    raw = b'id,note,x\nA,"two\nlines, and ""quotes""",1\nB,plain,2\nC,3\n'
    err = error_of(raw, name="R.csv")
    # rows are records: the record of row 2 spans two lines, row 4 is the short one
    assert str(err) == "R.csv, row 4: 2 fields where the header has 3"
    table = read_table(raw.replace(b"C,3\n", b""))
    assert texts(table)["note"] == ['two\nlines, and "quotes"', "plain"]
    assert table.rows.tolist() == [2, 3]
    header = read_table(b'id,"a\nb"\n1,2\n')
    assert header.header == ("id", "a\nb") and header.rows.tolist() == [2]


@pytest.mark.parametrize(
    ("body", "row", "fields"),
    [("1,2,3\n4,5\n", 3, 2), ("1,2,3\n\n\n4,5,6,7\n", 5, 4), ("1\n", 2, 1)],
)
def test_a_row_with_the_wrong_number_of_fields_is_named(body, row, fields):
    err = error_of(("a,b,c\n" + body).encode(), name="R.csv")
    assert (err.file, err.row, err.column) == ("R.csv", row, None)
    assert str(err) == f"R.csv, row {row}: {fields} fields where the header has 3"


def test_bom_and_gb18030_read_as_the_same_text():
    text = "respondent_id,区县\nA,思茅区\nB,孟连傣族拉祜族佤族自治县\n"
    plain = read_table(text.encode())
    bom = read_table(codecs.BOM_UTF8 + text.encode())
    gb = read_table(text.encode("gb18030"), encoding="gb18030")
    gbk = read_table(text.encode("gb18030"), encoding="GBK")
    assert plain.header == bom.header == gb.header == gbk.header == ("respondent_id", "区县")
    assert texts(plain) == texts(bom) == texts(gb) == texts(gbk)


def test_text_that_is_not_in_the_encoding_names_its_row(tmp_path):
    raw = "a,b\n1,思茅区\n2,孟连县\n".encode("gb18030")
    err = error_of(raw, name="R.csv")
    assert err.row == 2 and "not valid UTF-8 text" in str(err) and "--encoding gb18030" in str(err)
    mixed = b"a,b\n1,x\n" + "2,思茅区\n".encode("gb18030")
    assert error_of(mixed).row == 3
    assert error_of("名,b\n1,2\n".encode("gb18030")).row == "header"
    bad_gb = b"a,b\n1,2\n3,\x80\x20\n"
    err = error_of(bad_gb, encoding="gb18030", name="R.csv")
    assert str(err) == "R.csv, row 3: not valid GB18030 text"
    assert error_of(b"a\n1\n", encoding="latin-1").message.startswith("unsupported encoding")


def test_empty_file_duplicate_column_missing_file(tmp_path):
    for empty in (b"", b"\n\n", b" , \n1,2\n"):
        err = error_of(empty, name="R.csv")
        assert str(err) == "R.csv, row 1 (header): the file is empty"
    err = error_of(b"a,b, a\n1,2,3\n", name="R.csv")
    assert str(err) == "R.csv, row 1 (header), column a: the column appears twice"
    missing = tmp_path / "nope.csv"
    err = error_of(missing)
    assert err.file == str(missing) and "cannot read the file" in err.message
    assert read_table(b"a,b\n").n == 0 and read_table(b"a,b\n\n \n").n == 0


def test_bytes_and_path_read_the_same(tmp_path):
    raw = codecs.BOM_UTF8 + b'id,x\n"A\n1",2\n\nB,3\n'
    path = tmp_path / "R.csv"
    path.write_bytes(raw)
    from_path, from_bytes = read_table(path), read_table(raw, name=str(path))
    assert from_path.name == from_bytes.name == str(path)
    assert from_path.header == from_bytes.header
    assert texts(from_path) == texts(from_bytes)
    assert from_path.rows.tolist() == from_bytes.rows.tolist() == [2, 4]
    assert read_table(raw).name == "<upload>"


def test_columns_coded_by_distinct_text():
    table = read_table(b"d,x\nb,1\na,2\nb,3\n a,4\n")
    codes, values = table.codes("d")
    assert values == ["b", "a", " a"] and codes.tolist() == [0, 1, 0, 2]
    assert table.text("x").tolist() == ["1", "2", "3", "4"]


def test_the_message_format_is_one_line():
    err = InputError("R.csv", 4, "q01", "bad\nvalue")
    assert str(err) == "R.csv, row 4, column q01: bad value"
    assert str(InputError("R.csv", "header", None, "x")) == "R.csv, row 1 (header): x"
    assert str(InputError("R.csv", None, None, "x")) == "R.csv: x"
