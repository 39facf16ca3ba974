"""Streaming writers of the sample's files: one open CSV (or JSON Lines) writer per file,
rows written as they are made, counted per file. Encodings are those institutions' exports
have: UTF-8, UTF-8 with BOM (Excel), GB18030 for the separately exported letters."""

from __future__ import annotations

import csv
import json
from pathlib import Path

COMPLAINT_COLUMNS = ("complaint_id", "customer_id", "received_at", "channel", "contact_phone", "contact_email",
                     "mailing_address", "claimed_role", "text", "demands", "attachments", "handler")
FILES = {  # name: (path, encoding, header)
    "customers": ("customers.csv", "utf-8", ("customer_id", "name", "id_number", "reserved_phone", "address",
                                             "email", "region", "created_at", "branch", "product")),
    "complaints": ("complaints.csv", "utf-8-sig", COMPLAINT_COLUMNS),
    "letters": ("letters_gbk.csv", "gb18030", COMPLAINT_COLUMNS),
    "calls": ("calls.csv", "utf-8", ("call_id", "customer_id", "started_at", "caller_number", "direction",
                                     "forwarded", "voiceprint_id", "voiceprint", "identity_check",
                                     "callback_denied", "claimed_role", "transcript", "duration_sec")),
    "companies": ("companies.csv", "utf-8", ("credit_code", "name", "registered_at", "address", "business_scope",
                                             "legal_representative", "status", "registered_capital")),
    "intelligence": ("intelligence.csv", "utf-8", ("indicator", "kind", "category", "source", "first_seen",
                                                   "last_seen", "confidence", "reports")),
    "truth_customers": ("truth/customers.csv", "utf-8", ("customer_id", "gang_id", "role")),
    "truth_complaints": ("truth/complaints.csv", "utf-8", ("complaint_id", "customer_id", "label", "gang_id",
                                                           "template_id", "planted_rules")),
    "truth_gangs": ("truth/gangs.csv", "utf-8", ("gang_id", "kind", "n_customers", "identifiers")),
    "truth_posts": ("truth/posts.csv", "utf-8", ("post_id", "is_black_gray", "level", "category", "contacts",
                                                 "obfuscation")),
    "truth_companies": ("truth/companies.csv", "utf-8", ("credit_code", "squats_brand", "gang_id")),
    "truth_attachments": ("truth/attachments.csv", "utf-8", ("file", "complaint_id", "source_image")),
}
POSTS = "posts.jsonl"
BUFFER = 1 << 20


class Output:
    """All files of one sample, open for writing until `close`."""

    def __init__(self, out_dir: Path):
        self.dir = Path(out_dir)
        (self.dir / "truth").mkdir(parents=True, exist_ok=True)
        self.attachments = self.dir / "attachments"
        self.attachments.mkdir(exist_ok=True)
        self._files, self._writers, self.counts = [], {}, {}
        for name, (path, encoding, header) in FILES.items():
            f = open(self.dir / path, "w", encoding=encoding, newline="", buffering=BUFFER)
            self._files.append(f)
            w = csv.writer(f)
            w.writerow(header)
            self._writers[name] = w.writerow
            self.counts[path] = 0
        self._posts = open(self.dir / POSTS, "w", encoding="utf-8", newline="\n", buffering=BUFFER)
        self._files.append(self._posts)
        self.counts[POSTS] = 0
        self._paths = {name: spec[0] for name, spec in FILES.items()}

    def row(self, name: str, values) -> None:
        """Append one row to file `name`."""
        self._writers[name](values)
        self.counts[self._paths[name]] += 1

    def post(self, obj: dict) -> None:
        """Append one post to posts.jsonl."""
        self._posts.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.counts[POSTS] += 1

    def close(self) -> dict[str, int]:
        """Close every file; rows written per file (and image files under attachments/)."""
        for f in self._files:
            f.close()
        self.counts["attachments/"] = sum(1 for _ in self.attachments.iterdir())
        return dict(self.counts)
