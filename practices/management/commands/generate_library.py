import json
import random

from django.core.management.base import BaseCommand

from practices.models import Territory, Theme

SUBJECTS = [
    ("Emporio solidale", "un emporio a punti gestito da volontari per le famiglie in difficoltà", [1, 2]),
    ("Comunità energetica", "una comunità energetica rinnovabile che condivide l'energia del quartiere", [7, 13]),
    ("Orto sociale", "un orto condiviso curato da anziani, scuole e persone con disabilità", [2, 3, 11]),
    ("Biblioteca di strada", "libri e letture nei cortili contro la povertà educativa", [4, 10]),
    ("Bottega del riuso", "riparazione e riuso di oggetti con percorsi di inserimento lavorativo", [8, 12]),
    ("Trasporto sociale", "autisti volontari accompagnano anziani e persone fragili ai servizi", [3, 10, 11]),
    (
        "Contratto di fiume",
        "un patto tra enti e cittadini per la cura del bacino e la prevenzione del rischio",
        [6, 13, 15],
    ),
    (
        "Cooperativa di comunità",
        "abitanti che gestiscono servizi e turismo lento in un borgo delle aree interne",
        [8, 11],
    ),
    ("Sportello antiviolenza", "ascolto e accompagnamento delle donne con una rete di associazioni e servizi", [5, 16]),
    ("Rete di associazioni", "un coordinamento di organizzazioni di volontariato che progetta insieme", [16, 17]),
]


class Command(BaseCommand):
    help = "Write N synthetic library entries in the import format (JSON Lines) to standard output, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--prefix", default="generata")

    def handle(self, *args, count, seed, prefix, **options):
        rng = random.Random(seed)
        comuni = list(Territory.objects.filter(level="municipality").values_list("code", "name").order_by("code"))
        themes = list(Theme.objects.values_list("name_it", flat=True).order_by("slug"))
        networks = [f"Rete territoriale {n}" for n in range(1, 41)]
        for index in range(1, count + 1):
            subject, description, sdgs = SUBJECTS[index % len(SUBJECTS)]
            code, name = rng.choice(comuni)
            year = rng.randint(2010, 2025)
            entry = {
                "slug": f"{prefix}-{index:05d}",
                "type": "good_practice" if index % 4 else "case_study",
                "title": f"{subject} a {name} ({index})",
                "summary": f"A {name}, {description}.",
                "body": f"Dal {year} a {name} {description}.\n\n"
                f"L'esperienza coinvolge {rng.randint(3, 60)} organizzazioni e {rng.randint(10, 900)} persone.",
                "sdgs": sorted(set(sdgs + [rng.randint(1, 17)])),
                "territories": [code],
                "themes": rng.sample(themes, 2) if themes else [],
                "networks": [rng.choice(networks)],
                "year": year,
            }
            self.stdout.write(json.dumps(entry, ensure_ascii=False))
