"""Content of the demo calls and joint projects (French, as the table writes them).

Partners: (organisation key, role, cash, in kind, what the in-kind is). Budget: the amount
requested from the call; the partners' confirmed contributions enter the budget as they
are, and the lead's own share and other sources complete it within the call's limits.
"""

CLOSED_CALL = {
    "title": "Appel de projets en partenariat 2025-2026 : emploi et régionalisation",
    "description": (
        "Volet régional du Programme d'appui aux collectivités (PAC) du MIFI, bonifié par la Ville de "
        "Québec. La Table ne finance que des projets portés en partenariat : un organisme porteur et au "
        "moins deux partenaires de secteurs différents qui mettent leurs ressources en commun. Fini le "
        "saupoudrage : des projets plus ambitieux, qui durent, et qui rapprochent les personnes immigrantes "
        "des employeurs de toute la région."
    ),
    "funders": [("MIFI", 150000), ("Ville de Québec", 50000)],
    "max_request": 60000,
    "max_request_share": 75,
    "objectives": ["3.1", "3.2", "1.2"],
    "criteria": [
        (
            "Qualité et profondeur du partenariat",
            30,
            (
                "Chaque partenaire a un rôle réel et apporte des ressources; la gouvernance du projet est "
                "partagée."
            ),
        ),
        (
            "Réponse à un besoin documenté",
            25,
            "Le besoin est appuyé par des données ou par la parole des personnes concernées.",
        ),
        (
            "Effets attendus sur l'emploi",
            25,
            (
                "Des résultats mesurables pour les personnes : emplois à la hauteur des compétences, "
                "maintien en région."
            ),
        ),
        (
            "Réalisme du budget et de l'échéancier",
            20,
            "Les coûts sont justifiés; les contributions des partenaires sont confirmées.",
        ),
    ],
}

OPEN_CALL = {
    "title": "Appel de projets en partenariat 2026-2027 : accueil, francisation et rapprochement",
    "description": (
        "Deuxième appel conçu par les membres de la Table. Il soutient des projets qui simplifient les "
        "premières semaines des personnes nouvellement arrivées, rendent la francisation accessible partout "
        "dans la région et multiplient les occasions de rencontre. Le MIFI (Programme d'appui aux "
        "collectivités), Centraide Québec et Chaudière-Appalaches et la Fondation Lucie et André Chagnon "
        "mettent leurs fonds en commun dans une seule enveloppe, avec une seule grille d'évaluation."
    ),
    "funders": [("MIFI", 180000), ("Centraide", 70000), ("FLAC", 50000)],
    "max_request": 50000,
    "max_request_share": 70,
    "objectives": ["2.1", "2.2", "4.1", "5.1", "5.2"],
    "criteria": [
        (
            "Partenariat et complémentarité",
            30,
            "Les partenaires se complètent; personne ne fait seul ce qu'un autre fait déjà.",
        ),
        (
            "Participation des personnes concernées",
            20,
            "Des personnes immigrantes contribuent à concevoir et évaluer le projet.",
        ),
        ("Effets attendus", 30, "Indicateurs de résultats et de processus clairs, cibles réalistes."),
        ("Pérennité", 20, "Ce qui restera après le financement : pratiques, liens, outils."),
    ],
    "documents": [
        (
            "Lettre d'engagement de chaque partenaire",
            "Signée par la direction; elle précise la contribution en argent et en nature.",
            True,
            True,
        ),
        ("Budget détaillé", "Tableur ou PDF, si le budget en ligne ne suffit pas.", False, False),
    ],
}

# key, lead, title, territory, objectives, requested, partners, texts, fate
CLOSED_PROJECTS = [
    {
        "lead": "AIP",
        "title": "Passerelles emploi Portneuf",
        "territory": "MRC de Portneuf (Saint-Raymond, Donnacona, Pont-Rouge)",
        "objectives": ["3.1", "1.2"],
        "requested": 55000,
        "partners": [
            (
                "RMP",
                "Stages et jumelage avec des mentors en usine",
                0,
                14000,
                "Temps de mentors et accueil de 12 stagiaires",
            ),
            (
                "CSSP",
                "Francisation en milieu de travail, le soir",
                0,
                9000,
                "Enseignante de francisation 6 h par semaine",
            ),
            (
                "MRC de Portneuf",
                "Transport collectif et promotion auprès des employeurs",
                6000,
                3000,
                "Laissez-passer de transport adapté",
            ),
        ],
        ("summary"): (
            "Un parcours commun qui mène des personnes immigrantes installées dans Portneuf vers un emploi "
            "à la hauteur de leurs compétences chez les manufacturiers de la MRC."
        ),
        ("needs"): (
            "Les entreprises de Portneuf manquent de main-d'œuvre pendant que des personnes immigrantes "
            "qualifiées quittent la région faute d'emploi correspondant à leur formation."
        ),
        ("target"): (
            "Personnes immigrantes installées dans la MRC de Portneuf depuis moins de cinq ans, et leurs "
            "conjointes et conjoints."
        ),
        ("activities"): (
            "Bilan des compétences; francisation au travail; stages rémunérés de huit semaines; jumelage "
            "avec un mentor; comité de suivi mensuel des partenaires."
        ),
        ("deliverables"): (
            "30 parcours complétés; 12 stages; un guide d'accueil en entreprise pour les manufacturiers."
        ),
        "indicators": [
            ("result", "Personnes en emploi dans leur domaine six mois après le parcours", "personnes", 18),
            ("process", "Partenaires présents aux comités de suivi", "%", 80),
        ],
        "fate": "in_progress",
        "award": 55000,
    },
    {
        "lead": "MFI",
        "title": "Mentorat professionnel au féminin",
        "territory": "Ville de Québec",
        "objectives": ["3.2"],
        "requested": 48000,
        "partners": [
            (
                "CIFQ",
                "Animation des cercles de mentorat",
                3000,
                10000,
                "Salle et animatrice deux soirs par mois",
            ),
            (
                "CCIQ",
                "Recrutement des mentores parmi ses membres",
                0,
                8000,
                "Temps de chargée de projet et événements de réseautage",
            ),
            (
                "UL",
                "Reconnaissance des diplômes et formation d'appoint",
                0,
                7000,
                "Conseillère en reconnaissance des acquis",
            ),
        ],
        ("summary"): (
            "Des femmes immigrantes qualifiées sont jumelées à des mentores du même domaine pour faire "
            "reconnaître leur expérience et décrocher un premier emploi qualifié."
        ),
        ("needs"): (
            "Les femmes immigrantes diplômées occupent plus souvent que les autres un emploi sous-qualifié."
        ),
        "target": "Femmes immigrantes diplômées, arrivées depuis moins de dix ans.",
        ("activities"): (
            "Jumelages d'un an; cercles de mentorat mensuels; ateliers sur la reconnaissance des diplômes; "
            "visites d'entreprises."
        ),
        "deliverables": "40 jumelages; un répertoire de 60 mentores; bilan public.",
        "indicators": [
            ("result", "Participantes en emploi qualifié à la fin du jumelage", "participantes", 24),
            ("process", "Jumelages menés à terme", "%", 85),
        ],
        "fate": "closed",
        "award": 48000,
    },
    {
        "lead": "SOIIT",
        "title": "Reconnaissance des acquis en santé",
        "territory": "Capitale-Nationale",
        "objectives": ["3.2"],
        "requested": 60000,
        "partners": [
            (
                "CIUSSS-CN",
                "Stages d'observation et postes de préposés",
                0,
                15000,
                "Encadrement clinique des stagiaires",
            ),
            (
                "Cégep Garneau",
                "Formations d'appoint en soins",
                0,
                12000,
                "Places en formation d'appoint et tutorat",
            ),
            ("SQ-CN", "Mesures d'aide à l'emploi", 8000, 0, ""),
        ],
        ("summary"): (
            "Accélérer l'accès des professionnelles et professionnels de la santé formés à l'étranger à un "
            "emploi dans le réseau de la Capitale-Nationale."
        ),
        ("needs"): (
            "Le réseau manque de personnel soignant; des infirmières formées à l'étranger attendent des "
            "années avant d'exercer."
        ),
        "target": "Infirmières, infirmières auxiliaires et préposés formés à l'étranger.",
        ("activities"): (
            "Accompagnement dans les démarches des ordres professionnels; formations d'appoint; stages "
            "d'observation; emploi de préposé pendant la démarche."
        ),
        "deliverables": "25 dossiers de reconnaissance complétés; un parcours type documenté avec le réseau.",
        "indicators": [
            ("result", "Personnes en emploi dans le réseau de la santé", "personnes", 20),
            ("process", "Rencontres du comité tripartite tenues", "rencontres", 10),
        ],
        "fate": "in_progress_late",
        "award": 60000,
    },
    {
        "lead": "CJE-CN",
        "title": "Carrefour des employeurs de Charlevoix",
        "territory": "MRC de Charlevoix",
        "objectives": ["1.2", "3.1"],
        "requested": 45000,
        "partners": [
            (
                "MRC de Charlevoix",
                "Animation du réseau d'employeurs",
                5000,
                5000,
                "Agente de développement économique",
            ),
            (
                "AHRQ",
                "Offres d'emploi saisonnières et logement des travailleurs",
                0,
                9000,
                "Hébergement temporaire chez les membres",
            ),
        ],
        ("summary"): (
            "Un lieu unique où les employeurs de Charlevoix rencontrent les personnes immigrantes prêtes à "
            "s'installer dans la région."
        ),
        ("needs"): (
            "Les employeurs de Charlevoix recrutent chacun de leur côté, souvent aux mêmes salons, sans "
            "coordination."
        ),
        "target": "Employeurs de Charlevoix et personnes immigrantes de Québec intéressées par la région.",
        ("activities"): (
            "Tournée des employeurs; deux missions de recrutement; accueil des personnes recrutées."
        ),
        "deliverables": "Deux missions; un calendrier partagé des recrutements.",
        "indicators": [
            ("result", "Personnes installées dans Charlevoix", "personnes", 15),
            ("process", "Employeurs participant au carrefour", "employeurs", 20),
        ],
        "fate": "refused",
    },
]

OPEN_PROJECTS = [
    {
        "lead": "CMQ",
        "title": "Cafés-rencontres interculturels de Limoilou",
        "territory": "Québec, arrondissement de La Cité-Limoilou",
        "objectives": ["5.1"],
        "requested": 28000,
        "partners": [
            (
                "Ville de Québec",
                "Prêt des locaux des bibliothèques et promotion",
                0,
                9000,
                "Salles des bibliothèques Saint-Charles et Gabrielle-Roy",
            ),
            (
                "OMHQ",
                "Mobilisation des locataires des HLM du quartier",
                0,
                6000,
                "Intervenante communautaire 3 h par semaine",
            ),
        ],
        "waiting": ["OMHQ"],
        ("summary"): (
            "Des cafés-rencontres hebdomadaires où voisines et voisins de toutes origines se rencontrent, "
            "pratiquent le français et montent ensemble de petits projets de quartier."
        ),
        ("needs"): (
            "Dans Limoilou, les personnes nouvellement arrivées disent manquer d'occasions de rencontrer "
            "leurs voisins nés ici."
        ),
        ("target"): (
            "Résidentes et résidents de Limoilou, nouvellement arrivés ou non, dont les locataires des HLM."
        ),
        ("activities"): (
            "40 cafés-rencontres; trois projets de quartier portés par les participants; une fête de fin "
            "d'année."
        ),
        "deliverables": "Une trousse d'animation réutilisable par d'autres quartiers.",
        "indicators": [
            ("result", "Participantes et participants réguliers", "personnes", 60),
            ("process", "Projets de quartier portés par des participants", "projets", 3),
        ],
        "fate": "draft",
    },
    {
        "lead": "AHRQ",
        "title": "Francisation en milieu de travail hôtelier",
        "territory": "Ville de Québec et Côte-de-Beaupré",
        "objectives": ["4.1"],
        "requested": 42000,
        "partners": [
            (
                "CSSC",
                "Enseignantes de francisation dans les hôtels",
                0,
                16000,
                "Deux enseignantes 10 h par semaine",
            ),
            ("SOIIT", "Accompagnement des travailleuses et travailleurs", 0, 8000, "Conseillère en emploi"),
        ],
        ("summary"): (
            "Des cours de français donnés sur les lieux et pendant les heures de travail des employés "
            "immigrants de l'hôtellerie."
        ),
        ("needs"): (
            "Les horaires de l'hôtellerie empêchent les travailleurs immigrants de suivre la francisation "
            "du soir."
        ),
        "target": "Employés immigrants de douze hôtels membres de l'association.",
        ("activities"): (
            "Groupes de francisation en hôtel; vocabulaire du métier; accompagnement vers la formation "
            "qualifiante."
        ),
        "deliverables": "12 groupes; un lexique du métier en ligne.",
        "indicators": [
            ("result", "Employés ayant gagné un niveau de français", "personnes", 80),
            ("process", "Hôtels qui libèrent leurs employés pendant les heures de travail", "hôtels", 12),
        ],
        "fate": "draft_ready",
    },
    {
        "lead": "RIRE",
        "title": "Premières semaines à Québec : un guichet d'accueil commun",
        "territory": "Ville de Québec",
        "objectives": ["2.1"],
        "requested": 50000,
        "partners": [
            (
                "Ville de Québec",
                "Accueil dans les bureaux d'arrondissement",
                5000,
                10000,
                "Agents d'accueil formés",
            ),
            (
                "CIUSSS-CN",
                "Inscription à la RAMQ et aux services de santé",
                0,
                12000,
                "Infirmière de liaison deux jours par semaine",
            ),
            ("MEI", "Aide au logement et à l'installation", 0, 8000, "Intervenante logement"),
        ],
        ("summary"): (
            "Un seul point d'entrée où les personnes nouvellement arrivées règlent en quelques rendez-vous "
            "les démarches de leurs premières semaines."
        ),
        ("needs"): (
            "Les personnes nouvellement arrivées courent d'un bureau à l'autre et abandonnent des démarches "
            "essentielles."
        ),
        "target": "Personnes nouvellement arrivées à Québec, toutes catégories d'immigration.",
        ("activities"): (
            "Guichet commun deux jours par semaine; prise de rendez-vous partagée; suivi à un mois."
        ),
        "deliverables": "Un parcours d'accueil commun; un outil de référence entre les partenaires.",
        "indicators": [
            ("result", "Démarches essentielles complétées en 30 jours", "%", 75),
            ("process", "Références entre partenaires", "références", 300),
        ],
        "fate": "submitted",
    },
    {
        "lead": "CSSPS",
        "title": "Parents partenaires de l'école",
        "territory": "Québec et Côte-de-Beaupré",
        "objectives": ["2.2", "4.1"],
        "requested": 36000,
        "partners": [
            ("MFI", "Animation des rencontres de parents", 0, 9000, "Animatrice et interprètes"),
            ("YWCA Québec", "Halte-garderie pendant les rencontres", 2000, 6000, "Éducatrice et local"),
        ],
        ("summary"): (
            "Des rencontres où les parents immigrants découvrent l'école québécoise et prennent leur place "
            "auprès des enseignants."
        ),
        ("needs"): (
            "Les parents immigrants connaissent mal le système scolaire et se sentent loin de l'école de "
            "leurs enfants."
        ),
        "target": "Parents immigrants d'élèves du primaire de six écoles.",
        ("activities"): (
            "Six rencontres par école; accompagnement aux rencontres de bulletin; capsules vidéo "
            "multilingues."
        ),
        "deliverables": "Six capsules en huit langues.",
        "indicators": [
            ("result", "Parents présents aux rencontres de bulletin", "%", 70),
            ("process", "Écoles engagées", "écoles", 6),
        ],
        "fate": "eligibility",
    },
    {
        "lead": "MEI",
        "title": "Jardin collectif interculturel de Vanier",
        "territory": "Québec, quartier Vanier",
        "objectives": ["5.1"],
        "requested": 25000,
        "partners": [
            ("CDEC", "Gestion du terrain et des bénévoles", 0, 6000, "Coordonnateur bénévole"),
            ("OMHQ", "Terrain près des HLM", 0, 7000, "Terrain et eau"),
        ],
        ("summary"): (
            "Un jardin collectif où des familles immigrantes et des familles du quartier cultivent ensemble."
        ),
        "needs": "Peu de lieux de rencontre informels dans Vanier.",
        "target": "Familles du quartier Vanier.",
        "activities": "Aménagement du jardin; ateliers de jardinage; repas partagés.",
        "deliverables": "Un jardin de 40 parcelles.",
        "indicators": [
            ("result", "Familles participantes", "familles", 40),
            ("process", "Repas partagés organisés", "repas", 8),
        ],
        "fate": "ineligible",
        ("note"): (
            "Le budget finance surtout l'entretien régulier du jardin existant, déjà soutenu par la Ville : "
            "l'appel finance des projets nouveaux portés en partenariat."
        ),
    },
    {
        "lead": "QI",
        "title": "Ambassadeurs interculturels en entreprise",
        "territory": "Région métropolitaine de Québec",
        "objectives": ["5.2"],
        "requested": 48000,
        "partners": [
            ("CCIQ", "Recrutement des entreprises", 0, 10000, "Événements et communications"),
            ("SOIIT", "Formation des ambassadeurs", 0, 9000, "Formatrice en gestion de la diversité"),
            ("UL", "Évaluation du projet", 0, 8000, "Équipe de recherche"),
        ],
        ("summary"): (
            "Former dans chaque entreprise participante une personne ambassadrice qui facilite "
            "l'intégration de ses collègues immigrants."
        ),
        ("needs"): (
            "Les PME recrutent à l'international sans outils pour accueillir et garder leurs nouveaux "
            "employés."
        ),
        "target": "PME de la région qui recrutent des personnes immigrantes.",
        ("activities"): (
            "Formation de 30 ambassadeurs; communauté de pratique; évaluation par l'Université Laval."
        ),
        "deliverables": "30 ambassadeurs formés; un rapport d'évaluation.",
        "indicators": [
            ("result", "Taux de rétention des employés immigrants après un an", "%", 85),
            ("process", "Rencontres de la communauté de pratique", "rencontres", 6),
        ],
        "fate": "in_review",
    },
    {
        "lead": "MRC de Charlevoix",
        "title": "Francisation des parents en soirée dans Charlevoix",
        "territory": "MRC de Charlevoix",
        "objectives": ["4.1"],
        "requested": 38000,
        "partners": [
            (
                "Cégep Garneau",
                "Cours de français à distance et en présence",
                0,
                12000,
                "Enseignante et plateforme",
            ),
            ("CJE-CN", "Recrutement et suivi des participants", 0, 7000, "Conseiller jeunesse"),
        ],
        ("summary"): (
            "Des cours de français en soirée, en présence et à distance, pour les parents de Charlevoix "
            "loin des centres de francisation."
        ),
        "needs": "Aucun cours de francisation du soir n'est offert dans Charlevoix.",
        "target": "Parents immigrants de Charlevoix.",
        "activities": "Trois groupes du soir; tutorat à distance; halte-garderie.",
        "deliverables": "Trois groupes par année.",
        "indicators": [
            ("result", "Participants ayant gagné un niveau", "personnes", 30),
            ("process", "Taux d'assiduité", "%", 75),
        ],
        "fate": "recommended",
    },
    {
        "lead": "CDEC",
        "title": "Site web multilingue des services d'accueil",
        "territory": "Ville de Québec",
        "objectives": ["2.1"],
        "requested": 30000,
        "partners": [
            ("Ville de Québec", "Hébergement et mise à jour", 0, 5000, "Service des communications"),
            ("QI", "Contenus pour les travailleurs qualifiés", 0, 5000, "Rédaction"),
        ],
        "summary": "Un site qui présente en huit langues les services d'accueil de la région.",
        "needs": "L'information sur les services est dispersée.",
        "target": "Personnes immigrantes avant et après leur arrivée.",
        "activities": "Inventaire des services; rédaction; traduction.",
        "deliverables": "Un site en huit langues.",
        "indicators": [
            ("result", "Visites mensuelles", "visites", 3000),
            ("process", "Organismes qui mettent à jour leur fiche", "organismes", 25),
        ],
        "fate": "not_recommended",
    },
    {
        "lead": "CMQ",
        "title": "Marraines et parrains d'accueil pour familles réfugiées",
        "territory": "Ville de Québec",
        "objectives": ["2.2", "5.1"],
        "requested": 45000,
        "partners": [
            ("CIFQ", "Recrutement et formation des marraines", 0, 8000, "Coordonnatrice des bénévoles"),
            ("CIUSSS-CN", "Liaison avec l'équipe santé des réfugiés", 0, 10000, "Travailleuse sociale"),
            ("YWCA Québec", "Activités pour les mères et les enfants", 3000, 6000, "Animatrice et local"),
        ],
        ("summary"): (
            "Chaque famille réfugiée est accompagnée pendant sa première année par une marraine ou un "
            "parrain formé, en lien avec les services."
        ),
        ("needs"): (
            "Les familles réfugiées arrivent isolées; les services ne peuvent offrir seuls un "
            "accompagnement de proximité."
        ),
        "target": "Familles réfugiées prises en charge par l'État arrivant à Québec.",
        ("activities"): (
            "Formation des bénévoles; jumelages d'un an; rencontres mensuelles; activités mères-enfants."
        ),
        "deliverables": "50 jumelages; un guide de la marraine.",
        "indicators": [
            ("result", "Familles qui se disent bien installées après un an", "%", 80),
            ("process", "Bénévoles encore actifs après six mois", "%", 70),
        ],
        "fate": "funded",
        "award": 45000,
        ("conditions"): (
            "Transmettre au comité de sélection, avant le premier versement, la liste des bénévoles formés "
            "et l'entente de confidentialité avec le CIUSSS."
        ),
    },
    {
        "lead": "AIP",
        "title": "Festival des cultures de Portneuf",
        "territory": "MRC de Portneuf",
        "objectives": ["5.1"],
        "requested": 35000,
        "partners": [
            ("MRC de Portneuf", "Site et logistique", 5000, 5000, "Prêt de matériel"),
            ("RMP", "Commandites d'entreprises", 4000, 0, ""),
        ],
        ("summary"): (
            "Un festival d'une fin de semaine qui fait découvrir les cultures des personnes immigrantes de "
            "Portneuf."
        ),
        "needs": "Les personnes immigrantes de Portneuf sont peu visibles dans la vie de la MRC.",
        "target": "Population de Portneuf.",
        "activities": "Festival; kiosques; spectacles.",
        "deliverables": "Une édition du festival.",
        "indicators": [
            ("result", "Visiteurs", "personnes", 2000),
            ("process", "Organismes participants", "organismes", 15),
        ],
        "fate": "refused",
        ("note"): (
            "Un événement ponctuel répond moins bien aux objectifs de l'appel que des projets qui créent "
            "des liens durables; le comité encourage le partenariat à le présenter au fonds d'événements de "
            "la MRC."
        ),
    },
    {
        "lead": "YWCA Québec",
        "title": "Halte-garderie pendant la francisation",
        "territory": "Ville de Québec",
        "objectives": ["4.1", "2.2"],
        "requested": 30000,
        "partners": [
            ("MFI", "Orientation des mères vers la francisation", 0, 5000, "Intervenante"),
            ("CSSC", "Horaires de francisation adaptés", 0, 6000, "Organisation des groupes"),
        ],
        ("summary"): (
            "Une halte-garderie à côté des classes de francisation, pour que les mères puissent suivre "
            "leurs cours."
        ),
        "needs": "Faute de garde, des mères abandonnent la francisation.",
        "target": "Mères immigrantes inscrites en francisation.",
        "activities": "Halte-garderie quatre matins par semaine.",
        "deliverables": "40 places par session.",
        "indicators": [
            ("result", "Mères qui terminent leur session", "%", 80),
            ("process", "Places occupées", "%", 85),
        ],
        "fate": "withdrawn",
    },
    {
        "lead": "AEIUL",
        "title": "Jumelage linguistique étudiants–nouveaux arrivants",
        "territory": "Ville de Québec",
        "objectives": ["4.1", "5.1"],
        "requested": 22000,
        "partners": [
            (
                "UL",
                "Reconnaissance du bénévolat dans le parcours étudiant",
                0,
                6000,
                "Service de placement et crédits d'engagement",
            ),
            ("CMQ", "Recrutement des personnes nouvellement arrivées", 0, 5000, "Intervenante"),
        ],
        ("summary"): (
            "Des étudiantes et étudiants bénévoles pratiquent le français chaque semaine avec une personne "
            "nouvellement arrivée."
        ),
        "needs": "Les personnes en francisation manquent d'occasions de parler français hors de la classe.",
        "target": "Personnes en francisation à Québec.",
        "activities": "Jumelages d'une session; sorties culturelles; formation des bénévoles.",
        "deliverables": "100 jumelages par année.",
        "indicators": [
            ("result", "Participants qui se disent plus à l'aise en français", "%", 80),
            ("process", "Jumelages menés à terme", "%", 75),
        ],
        "fate": "in_progress",
        "award": 22000,
        ("conditions"): (
            "Présenter un premier bilan des jumelages à la rencontre de la Table suivant la première session."
        ),
    },
    {
        "lead": "AIP",
        "title": "Accueil des travailleurs étrangers temporaires à Saint-Raymond",
        "territory": "Saint-Raymond (MRC de Portneuf)",
        "objectives": ["2.1"],
        "requested": 26000,
        "partners": [
            (
                "MRC de Portneuf",
                "Liens avec les employeurs et la municipalité",
                3000,
                4000,
                "Agente de développement",
            ),
            (
                "CMQ",
                "Expertise en accueil et en intervention interculturelle",
                0,
                6000,
                "Formation des intervenantes locales",
            ),
        ],
        "waiting": ["CMQ"],
        ("summary"): (
            "Un accueil humain et concret pour les travailleurs étrangers temporaires recrutés par les "
            "usines de Saint-Raymond."
        ),
        "needs": "Les travailleurs temporaires arrivent sans réseau ni information sur la vie locale.",
        "target": "Travailleuses et travailleurs étrangers temporaires de Saint-Raymond.",
        "activities": "Trousse d'accueil; soirées d'information; jumelage avec des familles.",
        "deliverables": "Une trousse d'accueil; 20 jumelages.",
        "indicators": [
            ("result", "Travailleurs qui renouvellent leur contrat", "%", 70),
            ("process", "Familles d'accueil engagées", "familles", 20),
        ],
        "fate": "draft",
    },
]

REPORT_TEXT = {
    ("summary"): (
        "Les activités prévues pour la période ont été réalisées : les premiers groupes ont commencé, les "
        "partenaires se réunissent chaque mois et les jumelages sont en cours."
    ),
    ("results"): (
        "Les premières personnes ont trouvé un emploi dans leur domaine; d'autres poursuivent leur "
        "formation d'appoint."
    ),
    ("collaboration"): (
        "Le comité de suivi réunit tous les partenaires; les décisions sur les places de stage sont prises "
        "ensemble. Le transport reste la principale difficulté."
    ),
    "next_steps": "Deuxième cohorte à l'automne; rencontre avec les employeurs pour élargir les stages.",
}
