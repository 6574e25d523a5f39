#!/usr/bin/env python3
"""Writes a synthetic Android WhatsApp export (Indonesian locale) of about SIZE_MB megabytes, for benchmarks.

Usage: make-export.py SIZE_MB OUT.txt
Authors are the example batch's people; the mix has multi-line messages, voice notes, media, deleted messages and
system lines. Deterministic: the same size gives the same file.
"""
import datetime
import random
import sys

size = int(sys.argv[1]) * 1_000_000
out = sys.argv[2]
rng = random.Random(7)
authors = ["Iva Hasanah", "Winoto", "Fauzi Gresik", "Budi Santoso", "+62 812-3456-7112", "Dedi Kurniawan", "Eko Wahyudi",
           "Fajar Hidayat", "Gunawan Saputra", "Hadi Susanto", "Pak RT Gresik"]
texts = ["Assalamualaikum, selamat pagi semua", "Menurut saya gender itu dibentuk oleh masyarakat, bukan kodrat",
         "Terima kasih bu, materinya jelas sekali", "Saya setuju, istri saya juga punya usaha kue",
         "Maaf baru bisa jawab, sinyal di desa susah", "ok", "Siap pak"]
special = ["PTT-20210706-WA{:04d}.opus (file terlampir)", "IMG-20210707-WA{:04d}.jpg (file terlampir)",
           "<Media tidak disertakan>", "Pesan ini telah dihapus"]
t = datetime.datetime(2021, 7, 5, 7, 0)
written = 0
with open(out, "w", encoding="utf-8") as f:
    n = 0
    while written < size:
        n += 1
        if n % 2 == 0:
            t += datetime.timedelta(minutes=1)
        head = t.strftime("%d/%m/%y %H.%M - ")
        r = rng.random()
        if r < 0.01:
            line = head + "Dedi Kurniawan keluar\n"
        elif r < 0.10:
            line = head + rng.choice(authors) + ": " + rng.choice(special).format(n % 10000) + "\n"
        elif r < 0.20:
            line = head + rng.choice(authors) + ": " + rng.choice(texts) + "\n" + rng.choice(texts) + "\n" + rng.choice(texts) + "\n"
        else:
            line = head + rng.choice(authors) + ": " + rng.choice(texts) + "\n"
        f.write(line)
        written += len(line.encode("utf-8"))
