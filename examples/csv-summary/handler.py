"""A TapServerless route processor in Python: counts and summarizes the rows of a CSV file.

The route's dispatcher invokes this function once per object version, with a request such as
{"version": 1, "route": "csv-summary", "bucket": "...", "key": "csv/orders.csv",
 "versionId": "...", "eTag": "...", "size": 1234, "fingerprint": "..."}
and records what it returns as the object's outcome (`csv-summary.summarized` here). Raising
InputError marks the file as the input's fault: it is recorded as `csv-summary.rejected`, once,
and not retried. Any other error is retried, then recorded as failed.

Only the standard library and boto3 (which the Lambda Python runtime provides).
"""

import codecs
import csv
import os

import boto3

# Module scope: one client per execution environment.
s3 = boto3.client("s3")

# Columns summarized in detail (the outcome is stored as one notification: keep it small).
MAX_COLUMNS = 50
# Rows read at most: a larger file is rejected, never half-summarized.
MAX_ROWS = int(os.environ.get("CSV_SUMMARY_MAX_ROWS", "1000000"))


class InputError(Exception):
    """The file cannot be summarized as it is: recorded as a rejection, not retried."""


def handler(event, context):
    bucket, key = event["bucket"], event["key"]
    request = {"Bucket": bucket, "Key": key}
    # Read exactly the version the event announced; in an unversioned bucket, the content with its ETag.
    if event.get("versionId"):
        request["VersionId"] = event["versionId"]
    elif event.get("eTag"):
        request["IfMatch"] = f'"{event["eTag"]}"'
    body = s3.get_object(**request)["Body"]
    try:
        summary = summarize(lines(body))
    finally:
        body.close()
    return {
        "type": f"{event['route']}.summarized",
        "message": f"{summary['rows']} rows, {len(summary['columns'])} columns",
        "details": summary,
    }


def lines(body):
    """The object's text, line by line ("\n" kept at the end, as the csv module wants), decoded as UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    try:
        for chunk in body.iter_chunks(chunk_size=64 * 1024):
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            yield from (line + "\n" for line in complete)
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as err:
        raise InputError(f"the file is not UTF-8 text: {err.reason}") from None
    if pending:
        yield pending


def summarize(text_lines):
    reader = csv.reader(text_lines)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty: a CSV file starts with a header row") from None
    except csv.Error as err:
        raise InputError(f"the header row is not CSV: {err}") from None
    if not any(name.strip() for name in header):
        raise InputError("the header row names no column")
    columns = [{"name": name, "empty": 0, "numeric": 0, "min": None, "max": None, "sum": 0.0} for name in header[:MAX_COLUMNS]]
    rows = 0
    ragged = []
    try:
        for row in reader:
            rows += 1
            if rows > MAX_ROWS:
                raise InputError(f"the file has more than {MAX_ROWS} rows")
            if len(row) != len(header) and len(ragged) < 10:
                ragged.append({"row": rows, "cells": len(row)})
            for column, cell in zip(columns, row):
                cell = cell.strip()
                if cell == "":
                    column["empty"] += 1
                    continue
                try:
                    value = float(cell)
                except ValueError:
                    continue
                column["numeric"] += 1
                column["sum"] += value
                column["min"] = value if column["min"] is None else min(column["min"], value)
                column["max"] = value if column["max"] is None else max(column["max"], value)
    except csv.Error as err:
        raise InputError(f"row {rows + 1} is not CSV: {err}") from None
    for column in columns:
        filled = rows - column["empty"]
        # A column is numeric when every filled cell is a number.
        if filled > 0 and column["numeric"] == filled:
            column["type"] = "number"
            column["mean"] = round(column["sum"] / filled, 6)
        else:
            column["type"] = "text"
            for stat in ("min", "max"):
                column.pop(stat)
        for internal in ("numeric", "sum"):
            column.pop(internal)
    return {
        "rows": rows,
        "columns": columns,
        **({"columnsOmitted": len(header) - MAX_COLUMNS} if len(header) > MAX_COLUMNS else {}),
        **({"raggedRows": ragged} if ragged else {}),
    }
