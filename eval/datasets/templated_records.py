#!/usr/bin/env python3
"""Writes a BEIR data set of templated business records searched by what distinguishes each one: an asset
identifier, an invoice or purchase-order number, a contract reference, a site code or a counterparty's name.

    python3 eval/datasets/templated_records.py /tmp/ids --records 400 --seed 11

Four templates (maintenance records, invoices, supply contracts, monthly site reports), each document its
own numbers, names and dates in otherwise identical wording, so the dense leg sees near-identical texts and
only the identifier tells them apart: the failure of issue 14 ("an exact match on a rare term is outvoted").
One query per record, in one of five styles (the identifier alone, or within a short request such as
"who inspected asset MX-48213-QF"); its one relevant document is that record. Queries are halved by the MD5
of the query id into qrels/train.tsv (decide on it) and qrels/test.tsv (report it), as split_queries.py does.
"""
import argparse
import hashlib
import json
import os
import random
import sys

SURNAMES = ["Alvarez", "Brennan", "Chowdhury", "Dubois", "Eriksen", "Fujita", "Gallagher", "Haddad", "Ivanova",
            "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rasmussen",
            "Sorensen", "Tanaka", "Umarov", "Vasquez", "Whitfield", "Xu", "Yilmaz", "Zielinski"]
COMPANY_WORDS = ["Northfield", "Harbourline", "Redcliff", "Ashgrove", "Bluewater", "Kestrel", "Millbrook",
                 "Stonebridge", "Larkspur", "Ironwood", "Fairhaven", "Copperleaf", "Westmoor", "Brightwell",
                 "Oakhurst", "Silverdale", "Thornbury", "Greywell", "Marlowe", "Pinecrest", "Ravensworth",
                 "Elmstead", "Foxley", "Heatherby", "Kingsmere", "Lowther", "Dunmore", "Cawley", "Brampton"]
SUFFIXES = ["Logistics", "Engineering", "Supplies", "Components", "Industrial", "Services", "Fabrication"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def maintenance(rng, n):
    asset = f"MX-{rng.randint(10000, 99999)}-{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}"
    tech = rng.choice(SURNAMES)
    date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    text = (f"Asset {asset} was inspected on {date} by technician {tech} of the field team, on schedule, and the pump "
            "housing showed normal wear for its age and duty cycle over the last quarter. The technician logged the oil "
            "level, the belt tension and the motor temperature, cleaned the intake filter, checked the coupling alignment "
            "with a dial gauge and confirmed that all the safety guards were fitted and locked before the restart. The "
            "seals were replaced with parts from the regional store and the pressure test passed within tolerance after "
            "a full cycle of the line, with no leak found at the flanges, the valves or the drain plug. Vibration readings "
            "stayed below the alarm limit at both bearings and the control panel showed no stored fault codes. Next "
            f"inspection of {asset} is due in six months unless the monitoring system raises an alarm before then.")
    queries = [asset, f"inspection record for asset {asset}", f"who inspected {asset}",
               f"when is the next inspection of pump {asset} due", f"seal replacement on {asset}"]
    return f"Maintenance record {n}", text, queries


def invoice(rng, n):
    number = f"INV-{rng.randint(2021, 2025)}-{rng.randint(100, 99999):05d}"
    order = f"PO {rng.randint(100000, 999999)}"
    customer = f"{rng.choice(COMPANY_WORDS)} {rng.choice(SUFFIXES)}"
    amount = f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}.{rng.randint(0, 99):02d}"
    text = (f"Invoice {number} is issued to {customer} for the goods delivered under purchase order {order}. The amount "
            f"due is EUR {amount}, payable within thirty days of the invoice date by bank transfer to the account shown "
            "below, quoting the invoice number as the payment reference. Goods remain our property until paid in full. "
            "Late payment accrues interest at the statutory rate and a fixed recovery charge. Queries about this invoice "
            "must reach the accounts team within fourteen days of receipt; after that the invoice is deemed accepted. "
            "Delivery was made to the customer's receiving dock and signed for by the warehouse supervisor.")
    queries = [number, f"invoice {number}", f"amount due on invoice {number}", order, f"invoice for purchase order {order}"]
    return f"Invoice {number}", text, queries


def contract(rng, n):
    ref = f"CTR/{rng.randint(1000, 9999)}/{rng.choice('ABCDEFGH')}"
    party = f"{rng.choice(COMPANY_WORDS)} {rng.choice(SUFFIXES)}"
    signer = rng.choice(SURNAMES)
    years = rng.randint(2, 5)
    text = (f"Supply contract {ref} between the company and {party} sets the terms on which the supplier delivers "
            f"spare parts and consumables for {years} years from the commencement date. Prices are fixed for the first "
            "year and thereafter adjusted once a year by the published producer price index. The supplier warrants that "
            "the goods conform to the specification and are free from defects for twelve months from delivery. Either "
            "party may terminate on ninety days' written notice, or at once for a material breach that is not remedied "
            "within thirty days. The contract is governed by the laws of the country of the buyer's registered office. "
            f"Signed for the supplier by {signer}, director.")
    queries = [ref, f"contract {ref}", f"termination notice under contract {ref}",
               f"who signed supply contract {ref}", f"warranty period in {ref}"]
    return f"Supply contract {ref}", text, queries


def report(rng, n):
    site = f"SITE-{rng.choice('ABCDEFGHKLMNPRSTW')}{rng.choice('ABCDEFGHKLMNPRSTW')}{rng.randint(10, 99)}"
    month = rng.choice(MONTHS)
    manager = rng.choice(SURNAMES)
    text = (f"Monthly operations report for {site}, {month} 2024, prepared by site manager {manager}. Output was in line "
            "with the plan and the availability of the main line stayed above the target for the month. Two minor safety "
            "observations were raised and closed within the week; no lost-time incident was recorded. Energy use per "
            "unit fell slightly after the compressor controls were retuned. The backlog of preventive maintenance "
            "orders was reduced and the spare parts stock was counted and reconciled with the system. Staffing was "
            f"stable, with one vacancy open in the maintenance crew. Actions for next month at {site}: finish the "
            "lighting upgrade and review the contractor permits.")
    queries = [site, f"monthly report {site}", f"operations report for {site}", f"who manages {site}",
               f"safety observations at {site}"]
    return f"Operations report {site} {month}", text, queries


TEMPLATES = [maintenance, invoice, contract, report]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target")
    parser.add_argument("--records", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.target, "qrels"), exist_ok=True)
    halves = {"train": [], "test": []}
    with open(os.path.join(args.target, "corpus.jsonl"), "w", encoding="utf-8") as corpus, \
            open(os.path.join(args.target, "queries.jsonl"), "w", encoding="utf-8") as queries:
        for n in range(args.records):
            title, text, styles = TEMPLATES[n % len(TEMPLATES)](rng, n)
            doc_id, query_id = f"rec{n:05d}", f"q{n:05d}"
            corpus.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
            queries.write(json.dumps({"_id": query_id, "text": styles[(n // len(TEMPLATES)) % len(styles)]}) + "\n")
            even = hashlib.md5(query_id.encode("utf-8")).digest()[-1] % 2 == 0
            halves["train" if even else "test"].append(f"{query_id}\t{doc_id}\t1")
    for name, rows in halves.items():
        with open(os.path.join(args.target, "qrels", f"{name}.tsv"), "w", encoding="utf-8") as f:
            f.write("\n".join(["query-id\tcorpus-id\tscore", *rows]) + "\n")
    print(f"{args.target}: {args.records} records, train {len(halves['train'])} queries, test {len(halves['test'])} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
