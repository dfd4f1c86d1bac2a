import json
import random

from django.core.management.base import BaseCommand

from practices.models import Territory, Theme

# (title, what it is, what it is for, who it serves, SDGs, themes). Benchmarks search this corpus, so the
# subjects, places and wording vary: with a handful of titles every query would hit the same few entries.
SUBJECTS = [
    (
        "Emporio solidale",
        "un emporio a punti gestito da volontari",
        "contro la povertà alimentare",
        "le famiglie in difficoltà",
        [1, 2],
        ["povertà alimentare", "welfare di comunità"],
    ),
    (
        "Comunità energetica rinnovabile",
        "impianti fotovoltaici condivisi tra famiglie, imprese e parrocchie",
        "per ridurre le bollette",
        "i nuclei in povertà energetica",
        [7, 13],
        ["comunità energetiche", "povertà energetica"],
    ),
    (
        "Orto sociale",
        "un orto condiviso curato da anziani, scuole e persone con disabilità",
        "per coltivare relazioni",
        "gli anziani soli",
        [2, 3, 11],
        ["agricoltura sociale", "anziani"],
    ),
    (
        "Biblioteca di strada",
        "libri e letture nei cortili e nelle piazze",
        "contro la povertà educativa",
        "i bambini e le bambine del quartiere",
        [4, 10],
        ["povertà educativa", "cultura"],
    ),
    (
        "Bottega del riuso",
        "riparazione e riuso di mobili, biciclette ed elettrodomestici",
        "per allungare la vita degli oggetti",
        "le persone in cerca di lavoro",
        [8, 12],
        ["economia circolare", "inserimento lavorativo"],
    ),
    (
        "Trasporto sociale",
        "autisti volontari che accompagnano ai servizi sanitari",
        "per non lasciare indietro nessuno",
        "gli anziani e le persone fragili",
        [3, 10, 11],
        ["anziani", "volontariato"],
    ),
    (
        "Contratto di fiume",
        "un patto tra enti e cittadini per la cura del bacino",
        "per prevenire il rischio idrogeologico",
        "le comunità rivierasche",
        [6, 13, 15],
        ["tutela ambientale", "amministrazione condivisa"],
    ),
    (
        "Cooperativa di comunità",
        "abitanti che gestiscono servizi, bar e turismo lento",
        "per tenere vivo il borgo",
        "i residenti delle aree interne",
        [8, 11],
        ["cooperative di comunità", "aree interne"],
    ),
    (
        "Sportello antiviolenza",
        "ascolto e accompagnamento con una rete di associazioni e servizi",
        "per uscire dalla violenza",
        "le donne e i loro figli",
        [5, 16],
        ["parità di genere", "inclusione sociale"],
    ),
    (
        "Coordinamento delle associazioni",
        "un tavolo permanente di organizzazioni di volontariato",
        "per progettare insieme",
        "gli enti del Terzo settore",
        [16, 17],
        ["reti territoriali", "volontariato"],
    ),
    (
        "Portineria di quartiere",
        "un presidio di prossimità con piccoli servizi e ascolto",
        "per ricucire i legami tra vicini",
        "gli abitanti delle case popolari",
        [10, 11],
        ["welfare di comunità", "abitare"],
    ),
    (
        "Housing sociale",
        "alloggi a canone calmierato con accompagnamento all'autonomia",
        "per una casa dignitosa",
        "i giovani e le famiglie monoreddito",
        [1, 11],
        ["abitare", "inclusione sociale"],
    ),
    (
        "Fattoria sociale",
        "un'azienda agricola che accoglie tirocini e laboratori",
        "per l'inclusione attraverso il lavoro",
        "le persone con disagio psichico",
        [2, 3, 8],
        ["agricoltura sociale", "salute mentale"],
    ),
    (
        "Scuola aperta",
        "aule e palestre aperte il pomeriggio e d'estate",
        "contro la dispersione scolastica",
        "ragazze e ragazzi delle medie",
        [4, 10],
        ["scuola", "povertà educativa"],
    ),
    (
        "Patto di collaborazione",
        "cittadini e Comune che curano insieme giardini e spazi pubblici",
        "per la cura dei beni comuni",
        "i residenti e le associazioni",
        [11, 16],
        ["beni comuni", "amministrazione condivisa"],
    ),
    (
        "Gruppo di acquisto solidale",
        "famiglie che comprano insieme da piccoli produttori locali",
        "per un consumo critico",
        "i produttori biologici della zona",
        [2, 12],
        ["consumo responsabile", "economia solidale"],
    ),
    (
        "Mensa solidale",
        "pasti caldi preparati con le eccedenze dei supermercati",
        "contro lo spreco alimentare",
        "le persone senza dimora",
        [1, 2, 12],
        ["povertà alimentare", "economia circolare"],
    ),
    (
        "Centro giovani",
        "uno spazio autogestito con sala prove, studio e laboratori",
        "per il protagonismo giovanile",
        "gli adolescenti e i giovani adulti",
        [4, 8],
        ["giovani", "partecipazione"],
    ),
    (
        "Casa della salute di comunità",
        "medici, infermieri di famiglia e volontari nello stesso presidio",
        "per la prossimità delle cure",
        "i malati cronici",
        [3],
        ["welfare di comunità", "anziani"],
    ),
    (
        "Accoglienza diffusa",
        "appartamenti nei paesi e percorsi di lingua e lavoro",
        "per l'integrazione dei rifugiati",
        "i richiedenti asilo e le famiglie migranti",
        [10, 16],
        ["migranti", "inclusione sociale"],
    ),
    (
        "Ciclofficina popolare",
        "un'officina dove si impara a riparare la bicicletta",
        "per la mobilità sostenibile",
        "gli studenti e i pendolari",
        [3, 11, 13],
        ["mobilità sostenibile", "economia circolare"],
    ),
    (
        "Pedibus",
        "accompagnatori volontari che portano a piedi i bambini a scuola",
        "per strade più sicure",
        "gli alunni delle elementari",
        [3, 11],
        ["mobilità sostenibile", "scuola"],
    ),
    (
        "Banca del tempo",
        "scambio di ore di aiuto, competenze e piccoli lavori",
        "per una comunità che si aiuta",
        "vicini di casa di tutte le età",
        [10, 17],
        ["economia solidale", "welfare di comunità"],
    ),
    (
        "Laboratorio di sartoria sociale",
        "taglio e cucito con tessuti di recupero",
        "per l'autonomia economica",
        "le donne migranti",
        [5, 8, 12],
        ["parità di genere", "migranti"],
    ),
    (
        "Custodi del territorio",
        "volontari che puliscono sentieri e segnalano dissesti",
        "per la cura del paesaggio",
        "i turisti e gli escursionisti",
        [13, 15],
        ["tutela ambientale", "turismo sostenibile"],
    ),
    (
        "Ecomuseo",
        "un museo diffuso fatto di mestieri, sentieri e memorie",
        "per raccontare il territorio",
        "le scuole e i visitatori",
        [4, 11],
        ["cultura", "sviluppo locale"],
    ),
    (
        "Oasi della biodiversità",
        "prati fioriti, arnie e stagni in un'area verde recuperata",
        "per proteggere impollinatori e anfibi",
        "le classi in uscita didattica",
        [14, 15],
        ["biodiversità", "tutela ambientale"],
    ),
    (
        "Alfabetizzazione digitale",
        "corsi di smartphone e servizi online tenuti da studenti",
        "per ridurre il divario digitale",
        "gli over 65",
        [4, 10],
        ["anziani", "formazione"],
    ),
    (
        "Microcredito sociale",
        "piccoli prestiti con un tutor volontario",
        "per avviare un'attività",
        "chi non ha accesso al credito bancario",
        [1, 8],
        ["economia civile", "inclusione sociale"],
    ),
    (
        "Teatro di comunità",
        "spettacoli scritti e recitati dagli abitanti",
        "per dare voce al quartiere",
        "giovani, anziani e nuovi cittadini",
        [4, 11],
        ["cultura", "partecipazione"],
    ),
    (
        "Rigenerazione di un edificio dismesso",
        "un ex edificio pubblico riaperto come casa delle associazioni",
        "per restituire spazi alla comunità",
        "le associazioni senza sede",
        [11, 17],
        ["rigenerazione urbana", "beni comuni"],
    ),
    (
        "Distretto di economia civile",
        "imprese, Comune e Terzo settore con un piano comune",
        "per uno sviluppo locale inclusivo",
        "le piccole imprese del territorio",
        [8, 17],
        ["economia civile", "sviluppo locale"],
    ),
    (
        "Agricoltura di montagna",
        "terreni abbandonati affidati a giovani agricoltori",
        "contro lo spopolamento",
        "i giovani che tornano in montagna",
        [2, 8, 15],
        ["aree interne", "agricoltura sociale"],
    ),
    (
        "Inserimento lavorativo",
        "tirocini e borse lavoro con tutor aziendali",
        "per il lavoro delle persone fragili",
        "le persone con disabilità",
        [8, 10],
        ["inserimento lavorativo", "disabilità"],
    ),
    (
        "Turismo accessibile",
        "percorsi, spiagge e musei senza barriere",
        "per un turismo per tutti",
        "i visitatori con disabilità motorie e sensoriali",
        [8, 10, 11],
        ["turismo sostenibile", "disabilità"],
    ),
    (
        "Servizio civile di comunità",
        "giovani in servizio civile nei piccoli Comuni",
        "per la cittadinanza attiva",
        "i ragazzi tra i 18 e i 28 anni",
        [4, 16],
        ["cittadinanza attiva", "giovani"],
    ),
    (
        "Protezione civile partecipata",
        "esercitazioni e piani di emergenza scritti con i cittadini",
        "per una comunità pronta alle emergenze",
        "le frazioni isolate",
        [11, 13],
        ["mobilitazione civica", "volontariato"],
    ),
    (
        "Formazione dei volontari",
        "un percorso di competenze per chi guida le associazioni",
        "per rafforzare le organizzazioni",
        "i dirigenti del volontariato",
        [4, 17],
        ["rafforzamento delle competenze", "formazione"],
    ),
    (
        "Riduzione della plastica",
        "borracce, erogatori e mense senza usa e getta",
        "per scuole plastic free",
        "studenti e famiglie",
        [12, 14],
        ["sostenibilità", "scuola"],
    ),
    (
        "Gruppo di auto mutuo aiuto",
        "incontri tra pari facilitati da operatori",
        "per affrontare insieme la fragilità",
        "i familiari di persone con dipendenze",
        [3, 10],
        ["salute mentale", "welfare di comunità"],
    ),
]
SDG_WORDS = {
    1: "povertà",
    2: "fame zero",
    3: "salute",
    4: "istruzione di qualità",
    5: "parità di genere",
    6: "acqua pulita",
    7: "energia pulita",
    8: "lavoro dignitoso",
    10: "meno disuguaglianze",
    11: "città sostenibili",
    12: "consumo responsabile",
    13: "azione per il clima",
    15: "vita sulla terra",
    16: "pace e giustizia",
    17: "partnership",
}
ACTORS = [
    "il Comune",
    "la parrocchia",
    "una cooperativa sociale",
    "il Centro di servizio per il volontariato",
    "l'istituto comprensivo",
    "la fondazione di comunità",
    "l'azienda sanitaria locale",
    "un gruppo di abitanti",
    "la Pro Loco",
    "il consorzio dei servizi sociali",
    "un'associazione di promozione sociale",
    "l'università",
    "la Caritas diocesana",
    "le imprese del territorio",
    "la biblioteca civica",
    "il consiglio dei ragazzi",
    "l'Unione dei Comuni",
    "un gruppo scout",
    "il Gal",
    "la Regione",
]
TITLES = [
    "{name} {at}",
    "{place}: {name_lc} {aim}",
    "{name} {aim}",
    "{name} {aim} {at}",
    "Dal quartiere alla rete: {name_lc} {at}",
    "{name} per {target}",
    "{name} nel territorio di {place}",
]
OPENINGS = [
    "Nel {year} {at} comincia il progetto «{name}»: {what}, {aim}.",
    "L'esperienza è cominciata nel {year} {at}: {what}.",
    "{At} il progetto «{name}» è attivo dal {year} ed è diventato un punto di riferimento.",
    "Tutto è partito nel {year} da un'assemblea pubblica {at}: {what}, {aim}.",
]
METHODS = [
    "Il progetto è costruito insieme: {a1}, {a2} e {a3} si incontrano ogni mese in una cabina di regia.",
    "{A1} coordina le attività, mentre {a2} e {a3} mettono a disposizione spazi, volontari e competenze.",
    "Le attività si svolgono {when}; le organizzano {a1} e {a2}.",
    "Hanno firmato un patto {a1}, {a2} e {a3}: ruoli, risorse e verifiche sono scritti nero su bianco.",
]
WHENS = ["tutti i sabati", "due pomeriggi a settimana", "durante l'estate", "ogni giorno feriale", "una volta al mese"]
RESULTS = [
    "In {span} anni sono state coinvolte {people} persone, con {volunteers} volontari e {orgs} organizzazioni.",
    "Il monitoraggio conta {people} partecipanti e {volunteers} volontari attivi in {orgs} organizzazioni.",
    "I numeri dicono {people} persone raggiunte e {orgs} enti in rete, grazie a {volunteers} volontari.",
]
CHALLENGES = [
    "La sfida aperta è la sostenibilità economica dopo la fine del finanziamento iniziale.",
    "Il modello è stato replicato in altri Comuni della provincia di {province}.",
    "L'esperienza rientra nella programmazione della Regione {region} per il Terzo settore.",
    "Restano da coinvolgere i più giovani e le famiglie arrivate da poco.",
    "Il prossimo passo è una rete con i territori vicini e una valutazione d'impatto indipendente.",
]
NETWORK_KINDS = ["Rete", "Coordinamento", "Forum", "Alleanza", "Patto"]
NETWORK_TOPICS = [
    "Welfare Comunitario",
    "Economia Solidale",
    "Aree Interne",
    "Educare Insieme",
    "Energia Condivisa",
    "Beni Comuni",
    "Inclusione",
    "Territori Generativi",
    "Cura del Territorio",
    "Giovani Protagonisti",
    "Agricoltura Sociale",
    "Abitare Solidale",
]
ORGANISATION_KINDS = ["Cooperativa sociale", "Associazione", "Fondazione", "APS", "ODV", "Impresa sociale"]
ORGANISATION_NAMES = [
    "Il Ponte",
    "La Rete",
    "Girasole",
    "Filo d'Erba",
    "Terra Viva",
    "Il Germoglio",
    "Alveare",
    "Crocevia",
    "La Bussola",
    "Il Faro",
    "Radici",
    "Orizzonti",
    "Il Seme",
    "La Tela",
    "Passo dopo Passo",
    "Arcobaleno",
    "Il Cortile",
    "La Fucina",
    "Mille Mani",
    "Pane e Rose",
]
FIGURES = ["volontari attivi", "famiglie raggiunte", "enti coinvolti", "ore di attività", "tonnellate recuperate"]


class Command(BaseCommand):
    help = "Write N synthetic library entries in the import format (JSON Lines) to standard output, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--prefix", default="generata")

    def handle(self, *args, count, seed, prefix, **options):
        # One random stream drawn in entry order, so the first N entries are the same whatever the count:
        # a database prepared with fewer entries can be topped up, and a re-import finds them unchanged.
        rng = random.Random(seed)
        territories = Territory.objects.order_by("code")
        self.regions = dict(territories.filter(level="region").values_list("code", "name"))
        self.provinces = dict(territories.filter(level="province").values_list("code", "name"))
        self.comuni = list(
            territories.filter(level="municipality").values_list("code", "name", "province_code", "region_code")
        )
        self.by_province = {}
        for comune in self.comuni:
            self.by_province.setdefault(comune[2], []).append(comune)
        self.known_themes = set(Theme.objects.values_list("name_it", flat=True))
        self.all_themes = sorted(self.known_themes)
        self.networks = [f"{kind} {topic}" for topic in NETWORK_TOPICS for kind in NETWORK_KINDS]
        self.organisations = [f"{kind} {name}" for name in ORGANISATION_NAMES for kind in ORGANISATION_KINDS]
        for index in range(1, count + 1):
            self.stdout.write(json.dumps(self.entry(rng, index, prefix), ensure_ascii=False))

    def entry(self, rng, index, prefix):
        name, what, aim, target, sdgs, themes = rng.choice(SUBJECTS)
        code, comune, province_code, region_code = rng.choice(self.comuni)
        province, region = self.provinces.get(province_code, comune), self.regions.get(region_code, comune)
        # Most entries are about one comune; some span two, a province or a whole region, as real ones do.
        level = rng.random()
        if level < 0.08:
            place, at, codes = province, f"in provincia di {province}", [province_code]
        elif level < 0.12:
            place, at, codes = region, f"in {region}", [region_code]
        elif level < 0.22:
            other = rng.choice(self.by_province[province_code])
            place, at, codes = comune, f"a {comune} e {other[1]}", list(dict.fromkeys([code, other[0]]))
        else:
            place, at, codes = comune, f"a {comune}", [code]
        year = rng.randint(2010, 2025)
        a1, a2, a3 = rng.sample(ACTORS, 3)
        span = max(1, 2025 - year)
        people, volunteers, orgs = rng.randint(20, 3000), rng.randint(3, 200), rng.randint(2, 60)
        words = {
            "name": name,
            "name_lc": name[0].lower() + name[1:],
            "what": what,
            "aim": aim,
            "target": target,
            "place": place,
            "at": at,
            "At": at[0].upper() + at[1:],
            "year": year,
            "province": province,
            "region": region,
            "a1": a1,
            "a2": a2,
            "a3": a3,
            "A1": a1[0].upper() + a1[1:],
            "when": rng.choice(WHENS),
            "span": span,
            "people": people,
            "volunteers": volunteers,
            "orgs": orgs,
        }
        sdgs = sorted(set(sdgs + [rng.randint(1, 17)]))
        goal = SDG_WORDS.get(sdgs[0])
        body = [
            rng.choice(OPENINGS).format(**words) + f" I destinatari sono {target}.",
            rng.choice(METHODS).format(**words) + (f" Il lavoro contribuisce all'obiettivo «{goal}»." if goal else ""),
            rng.choice(RESULTS).format(**words) + " " + rng.choice(CHALLENGES).format(**words),
        ]
        status = rng.choice(["in_corso", "concluso"]) if year < 2024 else rng.choice(["in_progettazione", "in_corso"])
        entry = {
            "slug": f"{prefix}-{index:05d}",
            "type": "good_practice" if index % 4 else "case_study",
            "title": rng.choice(TITLES).format(**words),
            "summary": f"{words['At']}, {what} {aim}, con {a1} e {a2}.",
            "body": "\n\n".join(body),
            "sdgs": sdgs,
            "territories": codes,
            "themes": list(
                dict.fromkeys([t for t in themes if t in self.known_themes] + rng.sample(self.all_themes, 1))
            ),
            "networks": rng.sample(self.networks, rng.choice([0, 1, 1, 1, 2])),
            "organisations": rng.sample(self.organisations, rng.choice([0, 0, 1, 2])),
            "year": year,
            "status": status,
            "key_figures": [
                {"value": str(value), "label": label}
                for value, label in ((volunteers, FIGURES[0]), (people, rng.choice(FIGURES[1:])))
            ][: rng.randint(0, 2)],
        }
        if status == "concluso":
            entry["end_year"] = rng.randint(year, 2025)
        return entry
