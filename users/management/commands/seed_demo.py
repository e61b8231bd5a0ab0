"""manage.py seed_demo --users N: realistic demo users and a few sign-in logs, fast enough for 1 M.

Names come from built-in lists of several cultures; every identifier carries the user's sequence
number, so identifiers are unique (case-insensitively too) by construction and a second run simply
continues the numbering. No per-row password hashing: a handful of hashes is made once and reused.
PostgreSQL is loaded with COPY, SQLite with executemany; a big load into an empty table drops the
secondary indexes (on SQLite also the search index's triggers) first and rebuilds them after.
`search_text` is filled exactly as User.save() does.
"""

import random
import secrets
import string
import sys
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField
from django.utils import timezone
from tqdm import tqdm

from audit.models import Log
from users import sqlite_fts
from users.models import Application, User, build_search_text

# Given names and surnames by culture, most common first (the weight falls with the rank).
NAMES = {
    "english": (
        "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
        "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
        "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily "
        "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
        "Timothy Stephanie Ronald Rebecca Edward Sharon Jason Laura Jeffrey Cynthia Ryan Kathleen "
        "Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Ruth Stephen Brenda Larry "
        "Pamela Justin Nicole Scott Katherine Brandon Samantha Benjamin Christine Samuel Emma "
        "Gregory Catherine Alexander Debra Frank Virginia Patrick Rachel Raymond Carolyn Jack "
        "Janet Dennis Maria Jerry Heather Tyler Diane Aaron Julie Henry Joyce Adam Victoria "
        "Douglas Kelly Nathan Christina Peter Joan Zachary Evelyn Kyle Lauren Noah Judith Ethan "
        "Olivia Jeremy Frances Walter Martha Christian Cheryl Keith Megan Roger Andrea Terry "
        "Hannah Austin Jacqueline Sean Ann Gerald Jean Carl Alice Harold Kathryn Dylan Gloria "
        "Arthur Teresa Lawrence Doris Jordan Sara Jesse Janice Bryan Julia Billy Marie Bruce "
        "Madison Gabriel Grace Joe Judy Logan Theresa Alan Beverly Juan Denise Albert Marilyn "
        "Willie Amber Elijah Danielle Wayne Abigail Randy Brittany Vincent Rose Mason Diana "
        "Roy Natalie Ralph Sophia Bobby Alexis Russell Lori Bradley Kayla Philip Jane Eugene "
        "Annette Liam Anne Oliver Charlotte Harry Amelia Oscar Isla Leo Lily Archie Joanne "
        "Freddie Leanne Marianne Roseanne Hazel Dorothy Caroline Ivy Chloe Ella Maisie"
    ),
    "english_surnames": (
        "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
        "Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
        "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
        "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper "
        "Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett "
        "Gray James Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell "
        "Sullivan Fisher Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton Graham "
        "Wallace Cole West Stone Hayes Hunt Palmer Black Mills Webb Hart Fox Walsh Byrne "
        "O'Brien O'Connor McCarthy Doyle Kennedy Lynch Quinn Murray Gallagher MacDonald Fraser "
        "Campbell Robertson Reid Ferguson Hannah Shannon Goldsmith Smithson Mann Hoffman"
    ),
    "spanish": (
        "José María Juan Carmen Luis Ana Carlos Laura Antonio Isabel Manuel Lucía Francisco "
        "Marta Javier Sofía Miguel Paula Pedro Elena Alejandro Valentina Diego Camila Jorge "
        "Daniela Fernando Gabriela Ricardo Mariana Alberto Natalia Raúl Andrea Sergio Adriana "
        "Pablo Verónica Andrés Silvia Rafael Rocío Eduardo Beatriz Jesús Pilar Mateo Ximena "
        "Santiago Guadalupe Joaquín Inés Emilio Lorena Ignacio Alejandra Rodrigo Paola Hugo "
        "Ana Sofía Gonzalo Mercedes Tomás Julieta Álvaro Anabel Víctor Susana Iván Nuria "
        "João Maria Pedro Ana Lucas Beatriz Gabriel Juliana Rafael Fernanda Thiago Larissa "
        "Matheus Letícia Bruno Mariana Felipe Camila Leonardo Bianca Gustavo Luana Rodrigo Joana"
    ),
    "spanish_surnames": (
        "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez "
        "Ruiz Hernández Díaz Moreno Álvarez Muñoz Romero Alonso Gutiérrez Navarro Torres "
        "Domínguez Vázquez Ramos Gil Ramírez Serrano Blanco Suárez Molina Morales Ortega "
        "Delgado Castro Ortiz Rubio Marín Sanz Iglesias Núñez Medina Garrido Cortés Castillo "
        "Santos Lozano Guerrero Cano Prieto Méndez Cruz Flores Herrera Peña León Márquez Cabrera "
        "Vega Campos Fuentes Carrasco Diez Reyes Aguilar Silva Souza Oliveira Costa Pereira "
        "Carvalho Almeida Ferreira Ribeiro Rocha Gomes Lima Araújo Barbosa Cardoso Teixeira"
    ),
    "german": (
        "Lukas Anna Leon Lea Finn Emma Jonas Mia Paul Hannah Felix Lena Maximilian Laura "
        "Tim Sophie Luca Marie Niklas Johanna Jan Lisa Moritz Katharina Julian Sarah Tobias "
        "Annika Sebastian Julia Florian Clara Stefan Sabine Thomas Petra Andreas Claudia "
        "Matthias Susanne Jürgen Birgit Klaus Ursula Wolfgang Monika Uwe Heike Jens Anke "
        "Lars Astrid Sven Ingrid Erik Freya Bjørn Sigrid Henrik Liv Søren Ida Jesper Elin "
        "Sanne Daan Bram Fleur Joost Anouk Pieter Femke Ruben Lotte Thijs Annemarie"
    ),
    "german_surnames": (
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
        "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
        "Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze "
        "Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz "
        "Möller Weiß Jung Hahn Keller Vogel Friedrich Hansen Johansen Nielsen Jensen Andersen "
        "Larsen Pedersen Eriksson Lindqvist Karlsson Nilsson Berg Dahl Haugen de Jong Jansen "
        "de Vries van den Berg van Dijk Bakker Visser Smit Meijer de Boer Mulder Smits"
    ),
    "french": (
        "Louis Camille Gabriel Léa Arthur Manon Jules Chloé Hugo Inès Raphaël Jade Adam Louise "
        "Lucas Alice Nathan Lina Léo Zoé Théo Juliette Noah Anne Paul Céline Antoine Amélie "
        "Pierre Sophie Nicolas Isabelle Julien Nathalie Mathieu Sandrine Olivier Valérie "
        "Giuseppe Giulia Marco Francesca Alessandro Chiara Luca Sara Matteo Martina Lorenzo "
        "Giorgia Andrea Alessia Davide Elisa Riccardo Federica Stefano Valentina Simone Anna"
    ),
    "french_surnames": (
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre "
        "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
        "Conti Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro"
    ),
    "slavic": (
        "Aleksandr Anastasia Dmitri Maria Ivan Daria Sergei Anna Andrei Elena Alexei Olga "
        "Mikhail Natalia Nikolai Tatiana Pavel Irina Vladimir Svetlana Piotr Katarzyna "
        "Krzysztof Agnieszka Tomasz Małgorzata Łukasz Magdalena Marcin Joanna Jakub Zofia "
        "Michał Aleksandra Jan Ewa Petr Jana Tomáš Tereza Ondřej Lucie Milan Ivana Marko Jelena"
    ),
    "slavic_surnames": (
        "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov "
        "Morozov Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev "
        "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
        "Woźniak Dąbrowski Kozłowski Novák Svoboda Novotný Dvořák Černý Procházka Horvat "
        "Kovačević Jovanović Petrović Nikolić Marković Đorđević Kovalenko Shevchenko Bondarenko"
    ),
    "chinese": (
        "Wei Fang Jing Li Min Xiu Ying Hui Jun Yan Lei Ping Hong Qiang Yu Ming Hao Xin Tao "
        "Lan Jie Na Chen Lin Bo Yi Xiaoming Xiaohong Zhiwei Meiling Jiahui Zihan Haoran Yuxuan "
        "Mei Ling Ka Wai Siu Ming Wing Chi Hoi Yan"
    ),
    "chinese_surnames": (
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo "
        "Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai "
        "Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Chan Wong Cheung Leung Lam Ho Tsang"
    ),
    "indian": (
        "Aarav Ananya Vivaan Diya Aditya Saanvi Vihaan Aadhya Arjun Anika Sai Pari Reyansh "
        "Myra Krishna Ira Ishaan Anvi Rohan Priya Rahul Pooja Amit Neha Vikram Kavya Sanjay "
        "Deepa Rajesh Lakshmi Suresh Sunita Anil Anjali Ravi Meera Arun Divya Kiran Shreya "
        "Mohammed Fatima Ahmed Aisha Omar Zainab Ali Maryam Hassan Layla Yusuf Noor Ibrahim Amina"
    ),
    "indian_surnames": (
        "Sharma Verma Gupta Singh Kumar Patel Reddy Rao Iyer Nair Menon Pillai Joshi Mehta Shah "
        "Desai Kapoor Malhotra Chopra Banerjee Chatterjee Mukherjee Das Bose Ghosh Sen Agarwal "
        "Bhat Kulkarni Jain Khan Hussain Rahman Ahmed Ali Malik Qureshi Siddiqui Hassan Haddad "
        "Khalil Mansour Nasser Saleh Farouk Aziz"
    ),
    "east_asian": (
        "Haruto Yui Sota Hina Yuto Aoi Riku Sakura Ren Yuna Takumi Mei Kenji Yuki Hiroshi "
        "Akiko Takeshi Naomi Daiki Emi Minjun Seoyeon Jiho Jiwoo Hyun Soyeon Jisoo Minji "
        "Duc Linh Minh Trang Huy Thao Nam Lan Tuan Hoa Quang Mai"
    ),
    "east_asian_surnames": (
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida "
        "Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Kim Lee Park Choi "
        "Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Nguyễn Trần Lê Phạm Hoàng Huỳnh "
        "Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương"
    ),
    "african": (
        "Chinedu Ngozi Emeka Chioma Oluwaseun Funmilayo Tunde Adaeze Kwame Ama Kofi Akosua "
        "Sipho Thandiwe Thabo Nomvula Kagiso Lerato Amara Zuri Jabari Imani Kelechi Folake "
        "Babajide Yetunde Musa Halima Abdullahi Hadiza"
    ),
    "african_surnames": (
        "Okafor Okonkwo Adeyemi Oluwole Eze Nwosu Balogun Ogunleye Abubakar Bello Mensah "
        "Boateng Asante Owusu Osei Dlamini Nkosi Ndlovu Khumalo Mokoena Mthembu Kamau "
        "Otieno Mwangi Wanjiru Diallo Traoré Keita Coulibaly Ndiaye"
    ),
}
CULTURE_WEIGHTS = {
    "english": 36,
    "spanish": 18,
    "german": 10,
    "french": 8,
    "slavic": 6,
    "chinese": 8,
    "indian": 7,
    "east_asian": 4,
    "african": 3,
}
RARE_SURNAME = "Quackenbush"  # ~5 per million: the benchmark's rare search term
RARE_SURNAME_RATE = 5e-6
MIXED_CULTURE_RATE = 0.12  # given name from one culture, surname from another

# Mobile/geographic ranges where every completion of the free digits is a valid number per
# phonenumbers.is_valid_number: (prefix with country code, free digits, lowest suffix, weight).
# No prefix starts another, so prefix + suffix(index) is unique per index across all plans.
PHONE_PLANS = (
    ("1212", 7, 2_000_000, 5),  # US, New York
    ("1415", 7, 2_000_000, 4),  # US, San Francisco
    ("1312", 7, 2_000_000, 3),  # US, Chicago
    ("1617", 7, 2_000_000, 3),  # US, Boston
    ("1416", 7, 2_000_000, 2),  # Canada, Toronto
    ("4474", 8, 0, 5),  # UK mobile
    ("49151", 8, 0, 3),  # Germany mobile
    ("49170", 8, 0, 2),
    ("3361", 7, 0, 2),  # France mobile
    ("3366", 7, 0, 2),
    ("346", 8, 0, 3),  # Spain mobile
    ("39347", 7, 0, 2),  # Italy mobile
    ("55119", 8, 0, 3),  # Brazil, São Paulo mobile
    ("5255", 8, 0, 2),  # Mexico City
    ("9198", 8, 0, 4),  # India mobile
    ("86138", 8, 0, 3),  # China mobile
    ("81903", 7, 0, 2),  # Japan mobile
    ("6141", 7, 0, 2),  # Australia mobile
    ("3162", 7, 0, 1),  # Netherlands mobile
    ("4670", 7, 0, 1),  # Sweden mobile
    ("4850", 7, 0, 1),  # Poland mobile
    ("234803", 7, 0, 2),  # Nigeria mobile
    ("2782", 7, 0, 1),  # South Africa mobile
)
PHONE_SCRAMBLE = 6_700_417  # a prime: coprime to every capacity above (powers of 2 and 5)
# Reserved example domains (RFC 2606 / 6761): demo data must never reach a real mailbox.
EMAIL_DOMAINS = (
    ("example.com", 30),
    ("example.org", 12),
    ("example.net", 10),
    ("mail.example", 14),
    ("inbox.example", 8),
    ("acme.example", 6),
    ("globex.example", 4),
    ("initech.example", 3),
    ("umbrella.example", 3),
    ("university.example", 4),
    ("example.co.uk", 3),
    ("example.de", 3),
)
APPLICATIONS = (
    {
        "name": "Acme Web",
        "type": Application.Type.TRADITIONAL,
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": "https://app.acme.example/callback",
        "description": "The customer web app.",
        "weight": 50,
    },
    {
        "name": "Acme iOS",
        "type": Application.Type.NATIVE,
        "client_type": Application.CLIENT_PUBLIC,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": "https://app.acme.example/ios/callback",
        "description": "The iPhone and iPad app.",
        "weight": 22,
    },
    {
        "name": "Acme Android",
        "type": Application.Type.NATIVE,
        "client_type": Application.CLIENT_PUBLIC,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": "https://app.acme.example/android/callback",
        "description": "The Android app.",
        "weight": 18,
    },
    {
        "name": "Partner Portal",
        "type": Application.Type.SPA,
        "client_type": Application.CLIENT_PUBLIC,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": "https://partners.acme.example/callback",
        "description": "Sign-in for resellers and partners.",
        "weight": 10,
    },
)
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "AcmeiOS/4.12.0 CFNetwork/1568.200.51 Darwin/24.1.0",
)
SIGN_IN_KEYS = ("Interaction.SignIn.Submit", "ExchangeTokenBy.AuthorizationCode")
# What demo admins did to some users, as the console would have recorded it.
ADMIN_EVENTS = (
    ("Console.User.Profile.Update", lambda u: {"changes": {"name": {"old": "", "new": u["name"]}}}),
    ("Console.User.Password.Reset", lambda u: {"requireChangeAtNextSignIn": True}),
    ("Console.User.Suspend", lambda u: {}),
)
DEMO_ADMIN_LABEL = "admin"


SHARE_WITH_NAME = 0.93
SHARE_WITH_EMAIL = 0.86
SHARE_WITH_USERNAME = 0.55
SHARE_WITH_PHONE = 0.35
SHARE_WITH_APPLICATION = 0.88
SHARE_EVER_SIGNED_IN = 0.85
SHARE_SUSPENDED = 0.03
SHARE_WITH_PASSWORD = 0.7
HISTORY = timedelta(days=3 * 365)

MAX_CONFLICTS = 20  # consecutive batches refused for a taken identifier before giving up
# A big load into an empty PostgreSQL table drops the secondary indexes and rebuilds them after.
REBUILD_INDEXES_FROM = 50_000
INDEX_BUILDERS = 2  # connections rebuilding them side by side
TABLE = User._meta.db_table
# The COPY column order: what DemoUsers.row() yields, then the columns with constant values.
ROW_COLUMNS = (
    "id",
    "username",
    "primary_email",
    "primary_phone",
    "name",
    "password",
    "application_id",
    "is_suspended",
    "last_sign_in_at",
    "password_updated_at",
    "created_at",
    "updated_at",
    "search_text",
)
CONSTANT_COLUMNS = {
    "last_login": None,
    "is_superuser": False,
    "is_staff": False,
    "is_password_expired": False,
    "avatar": "",
    "profile": "{}",
    "custom_data": "{}",
}
ID_ALPHABET = string.digits + string.ascii_lowercase
_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"}
)


@dataclass(frozen=True)
class Name:
    display: str  # as shown: "José", "O'Brien", "van den Berg"
    plain: str  # its ASCII letters: "Jose", "OBrien", "vandenBerg"
    key: str  # the same, lower-cased, for identifiers: "jose", "obrien", "vandenberg"

    @classmethod
    def of(cls, display: str) -> "Name":
        plain = fold(display)
        if not plain:
            raise ValueError(f"{display!r} has no ASCII letters for identifiers")
        return cls(display, plain, plain.lower())


def fold(text: str) -> str:
    """The ASCII letters of `text`: "Łukasz" -> "Lukasz", "O'Brien" -> "OBrien"."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if c in string.ascii_letters)


def _weighted_table(items, weights, size=20_000) -> list:
    """A list holding each item about weight/total * size times: a fast weighted choice."""
    total = sum(weights)
    table = []
    for item, weight in zip(items, weights, strict=True):
        table += [item] * max(1, round(weight / total * size))
    return table


def _ranked_names(text: str) -> list:
    """A weighted table of the names in `text`, most common first.

    Names are separated by spaces; a lower-case particle belongs to the next word ("de Vries",
    "van den Berg").
    """
    names, pending = [], []
    for word in text.split():
        pending.append(word)
        if word[0].isupper():
            names.append(" ".join(pending))
            pending = []
    unique = list(dict.fromkeys(names))
    return _weighted_table(
        [Name.of(n) for n in unique], [1 / (rank + 10) for rank in range(len(unique))]
    )


class DemoUsers:
    """Generates user rows (ROW_COLUMNS order) for sequence numbers; fast and deterministic."""

    def __init__(
        self,
        rng: random.Random,
        *,
        applications: list[Application],
        passwords: dict[bool, list[str]],
        now: datetime,
    ):
        self.rng = rng
        self.now = now
        cultures = list(CULTURE_WEIGHTS)
        self.cultures = _weighted_table(cultures, [CULTURE_WEIGHTS[c] for c in cultures], 1000)
        self.given = {c: _ranked_names(NAMES[c]) for c in cultures}
        self.surnames = {c: _ranked_names(NAMES[c + "_surnames"]) for c in cultures}
        self.rare = Name.of(RARE_SURNAME)
        self.domains = _weighted_table([d for d, _ in EMAIL_DOMAINS], [w for _, w in EMAIL_DOMAINS])
        self.phone_plans = _weighted_table(PHONE_PLANS, [p[3] for p in PHONE_PLANS], 1000)
        self.applications = (
            _weighted_table(
                [a.id for a in applications],
                [_application_weight(a.name) for a in applications],
                1000,
            )
            if applications
            else [None]
        )
        self.passwords = passwords
        self.history_seconds = HISTORY.total_seconds()

    def _pick(self, table):
        return table[int(self.rng.random() * len(table))]

    def names(self) -> tuple[Name, Name]:
        rng = self.rng
        culture = self._pick(self.cultures)
        given = self._pick(self.given[culture])
        if rng.random() < MIXED_CULTURE_RATE:
            culture = self._pick(self.cultures)
        surname = self._pick(self.surnames[culture])
        if rng.random() < RARE_SURNAME_RATE:
            surname = self.rare
        return given, surname

    def phone(self, index: int) -> str | None:
        """A valid number unique to `index`: its plan's prefix, then `index` scrambled."""
        plan = self._pick(self.phone_plans)
        for prefix, digits, lowest, _ in (plan, *PHONE_PLANS):
            capacity = 10**digits - lowest
            if index < capacity:
                # Multiplying by a number coprime to the capacity permutes 0..capacity-1: the
                # numbers look random, yet two indexes never share one.
                return f"{prefix}{lowest + index * PHONE_SCRAMBLE % capacity:0{digits}d}"
        return None  # more than eight million seeded users: the plans are used up

    def email(self, index: int, given: Name, surname: Name) -> str:
        r = self.rng.random()
        g, s = given.key, surname.key
        if r < 0.35:
            local = f"{g}.{s}{index}"
        elif r < 0.55:
            local = f"{g}{s}{index}"
        elif r < 0.7:
            local = f"{g[0]}{s}{index}"
        elif r < 0.8:
            local = f"{g}_{s}{index}"
        elif r < 0.9:
            local = f"{g}{index}"
        else:  # some type their address capitalised; only the domain is normalised
            local = f"{given.plain}.{surname.plain}{index}"
        return f"{local}@{self._pick(self.domains)}"

    def username(self, index: int, given: Name, surname: Name) -> str:
        r = self.rng.random()
        if r < 0.4:
            return f"{given.key}_{surname.key}{index}"
        if r < 0.7:
            return f"{given.key}{index}"
        if r < 0.85:
            return f"{given.key[0]}{surname.key}{index}"
        return f"{given.plain}{surname.plain[0]}{index}"

    def row(self, index: int) -> tuple:
        rng = self.rng
        given, surname = self.names()
        name = f"{given.display} {surname.display}" if rng.random() < SHARE_WITH_NAME else ""
        email = self.email(index, given, surname) if rng.random() < SHARE_WITH_EMAIL else None
        username = (
            self.username(index, given, surname) if rng.random() < SHARE_WITH_USERNAME else None
        )
        phone = self.phone(index) if rng.random() < SHARE_WITH_PHONE else None
        if not (email or username or phone):
            email = self.email(index, given, surname)
        user_id = "".join(rng.choices(ID_ALPHABET, k=12))

        # More recent sign-ups are more likely: the product grew over the three years.
        age = self.history_seconds * (1 - rng.random() ** 0.5)
        created_at = self.now - timedelta(seconds=age)
        last_sign_in_at = None
        if rng.random() < SHARE_EVER_SIGNED_IN:
            last_sign_in_at = created_at + timedelta(seconds=age * rng.random() ** 0.25)
        has_password = rng.random() < SHARE_WITH_PASSWORD
        password = self._pick(self.passwords[has_password])
        return (
            user_id,
            username,
            email,
            phone,
            name,
            password,
            self._pick(self.applications) if rng.random() < SHARE_WITH_APPLICATION else None,
            rng.random() < SHARE_SUSPENDED,
            last_sign_in_at,
            created_at if has_password else None,
            created_at,
            last_sign_in_at or created_at,
            build_search_text(user_id, username, email, phone, name),
        )

    def logs(self, user: dict, count: int) -> list[Log]:
        """Up to `count` sign-in log rows for one user, between sign-up and the last sign-in."""
        rng = self.rng
        start = user["created_at"]
        end = user["last_sign_in_at"] or self.now
        label = user["primary_email"] or user["username"] or user["primary_phone"] or ""
        rows = []
        for n in range(count):
            failed = user["last_sign_in_at"] is None or rng.random() < 0.12
            last = n == count - 1 and not failed
            rows.append(
                Log(
                    id="".join(rng.choices(ID_ALPHABET, k=21)),
                    key=SIGN_IN_KEYS[rng.random() < 0.4],
                    result=Log.Result.ERROR if failed else Log.Result.SUCCESS,
                    user_id=user["id"],
                    user_ref=user["id"],
                    user_label=label,
                    application_id=user["application_id"] or "",
                    ip=self.ip(),
                    user_agent=self._pick(USER_AGENTS),
                    payload=(
                        {"error": {"code": "session.invalid_credentials"}}
                        if failed
                        else {"interactionEvent": "SignIn"}
                    ),
                    created_at=end if last else start + (end - start) * rng.random(),
                )
            )
        if count and rng.random() < 0.1:
            key, payload = self._pick(ADMIN_EVENTS)
            rows.append(
                Log(
                    id="".join(rng.choices(ID_ALPHABET, k=21)),
                    key=key,
                    user_id=user["id"],
                    user_ref=user["id"],
                    user_label=label,
                    actor_label=DEMO_ADMIN_LABEL,
                    ip=self.ip(),
                    user_agent=self._pick(USER_AGENTS),
                    payload=payload(user),
                    created_at=start + (end - start) * rng.random(),
                )
            )
        return rows

    def ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return f"2001:db8:{rng.randrange(1 << 16):x}::{rng.randrange(1, 1 << 16):x}"
        net = self._pick(("192.0.2", "198.51.100", "203.0.113"))  # documentation ranges
        return f"{net}.{rng.randrange(1, 255)}"


def _application_weight(name: str) -> int:
    return next((a["weight"] for a in APPLICATIONS if a["name"] == name), 5)


def ensure_applications() -> list[Application]:
    apps = []
    for spec in APPLICATIONS:
        fields = {k: v for k, v in spec.items() if k not in ("name", "weight")}
        app = Application.objects.filter(name=spec["name"]).first()
        if app is None:
            app = Application(name=spec["name"], **fields)
            if app.client_type == Application.CLIENT_PUBLIC:
                app.client_secret = ""
            app.save()
        apps.append(app)
    return apps


def throwaway_passwords() -> dict[bool, list[str]]:
    """A few real hashes of random passwords nobody knows (made once), and unusable ones."""
    return {
        True: [make_password(secrets.token_urlsafe(24)) for _ in range(3)],
        False: [make_password(None) for _ in range(4)],
    }


class Command(BaseCommand):
    help = "Create N realistic demo users (and a few sign-in logs); fast enough for a million."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, required=True, help="how many users to add")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if any non-staff user exists (so `make run` keeps its data)",
        )
        parser.add_argument("--batch", type=int, default=10_000, help="rows per COPY/INSERT batch")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for repeatability")
        parser.add_argument(
            "--logs-per-user",
            type=int,
            default=5,
            help="each of the first --log-users new users gets 0 to this many sign-in logs",
        )
        parser.add_argument("--log-users", type=int, default=2_000)
        parser.add_argument(
            "--skip-access",
            action="store_true",
            help="don't create roles, organizations and memberships (seed_access)",
        )

    def handle(self, *args, **options):
        wanted = options["users"]
        if wanted < 0 or options["batch"] < 1 or options["logs_per_user"] < 0:
            raise CommandError("--users, --batch and --logs-per-user must not be negative.")
        if options["if_empty"] and User.objects.filter(is_staff=False).exists():
            self.stdout.write("Users exist already: nothing seeded (--if-empty).")
            return

        started = time.perf_counter()
        seed = options["seed"] if options["seed"] is not None else secrets.randbits(64)
        # A second run continues the numbering; identifiers embed the number, so they stay unique.
        start = User.objects.count()
        generator = DemoUsers(
            random.Random(f"{seed}:{start}"),
            applications=ensure_applications(),
            passwords=throwaway_passwords(),
            now=timezone.now(),
        )
        loader = {"postgresql": _PostgresLoader, "sqlite": _SqliteLoader}.get(
            connection.vendor, _OrmLoader
        )()
        rebuild = (
            connection.vendor in ("postgresql", "sqlite")
            and wanted >= REBUILD_INDEXES_FROM
            and start == 0
        )
        timings = {}

        log_users = []
        dropped = _drop_secondary_indexes() if rebuild else []
        try:
            loaded_at = time.perf_counter()
            with tqdm(
                total=wanted,
                unit=" users",
                unit_scale=True,
                file=sys.stderr,
                disable=not sys.stderr.isatty(),
                desc="Seeding",
            ) as progress:
                index, created, conflicts = start, 0, 0
                while created < wanted:
                    size = min(options["batch"], wanted - created)
                    rows = [generator.row(i) for i in range(index, index + size)]
                    try:
                        with transaction.atomic():
                            loader.write(rows)
                    except IntegrityError as error:
                        # Someone holds one of these numbers (users deleted since the last run,
                        # or typed by hand): jump ahead and try fresh numbers.
                        conflicts += 1
                        if conflicts > MAX_CONFLICTS:
                            raise CommandError(f"Cannot insert demo users: {error}") from error
                        index += size * 10 * conflicts
                        continue
                    conflicts = 0
                    if len(log_users) < options["log_users"]:
                        needed = options["log_users"] - len(log_users)
                        log_users += [dict(zip(ROW_COLUMNS, r, strict=True)) for r in rows[:needed]]
                    index += size
                    created += size
                    progress.update(size)
            timings["load"] = time.perf_counter() - loaded_at
        finally:
            if dropped:
                self._note(f"Rebuilding {len(dropped)} indexes (about a minute per million users)")
                rebuilt_at = time.perf_counter()
                _recreate_indexes(dropped)
                timings["indexes"] = time.perf_counter() - rebuilt_at

        logs = [
            log
            for user in log_users
            for log in generator.logs(user, generator.rng.randint(0, options["logs_per_user"]))
        ]
        Log.objects.bulk_create(logs, batch_size=2_000)
        if connection.vendor == "postgresql":
            analyzed_at = time.perf_counter()
            _analyze(vacuum=rebuild)
            timings["analyze"] = time.perf_counter() - analyzed_at

        if not options["skip_access"]:
            access_at = time.perf_counter()
            call_command("seed_access", stdout=StringIO())
            timings["roles and organizations"] = time.perf_counter() - access_at

        elapsed = time.perf_counter() - started
        details = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
        self.stdout.write(
            f"Seeded {wanted:,} users and {len(logs):,} sign-in logs in {elapsed:.1f} s"
            f" ({details}); {User.objects.filter(is_staff=False).count():,} non-staff users now."
        )

    def _note(self, message):
        # Progress for a person watching; logs and pipes get only the final line.
        if sys.stderr.isatty():
            print(f"{message}...", file=sys.stderr, flush=True)


class _PostgresLoader:
    columns = (*ROW_COLUMNS, *CONSTANT_COLUMNS)
    constants = tuple(CONSTANT_COLUMNS.values())

    def __init__(self):
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        self.sql = f"COPY {connection.ops.quote_name(TABLE)} ({quoted}) FROM STDIN"

    def write(self, rows):
        constants = self.constants
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.copy(self.sql) as copy,
        ):
            for row in rows:
                copy.write_row(row + constants)


class _SqliteLoader:
    """Plain INSERTs through executemany: no model instances, datetimes adapted once."""

    columns = (*ROW_COLUMNS, *CONSTANT_COLUMNS)
    constants = tuple(CONSTANT_COLUMNS.values())
    datetimes = tuple(
        i for i, c in enumerate(ROW_COLUMNS) if isinstance(User._meta.get_field(c), DateTimeField)
    )

    def __init__(self):
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        values = ", ".join(["%s"] * len(self.columns))
        self.sql = f"INSERT INTO {connection.ops.quote_name(TABLE)} ({quoted}) VALUES ({values})"

    def write(self, rows):
        adapt = connection.ops.adapt_datetimefield_value
        params = []
        for row in rows:
            row = list(row)
            for i in self.datetimes:
                row[i] = adapt(row[i])
            params.append((*row, *self.constants))
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)


class _OrmLoader:
    def write(self, rows):
        User.objects.bulk_create(User(**dict(zip(ROW_COLUMNS, row, strict=True))) for row in rows)


def _drop_secondary_indexes() -> list[str]:
    """Drop every index of the user table but its primary key; return the SQL to recreate them."""
    if connection.vendor == "sqlite":
        return _drop_sqlite_secondary_indexes()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, c.conname, pg_get_indexdef(x.indexrelid), pg_get_constraintdef(c.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
            ORDER BY i.relname
            """,
            [TABLE],
        )
        found = cursor.fetchall()
        table = connection.ops.quote_name(TABLE)
        dropped = []
        for index, constraint, index_sql, constraint_sql in found:
            if constraint and constraint_sql.startswith("UNIQUE"):
                # Rebuilt as a plain unique index (in parallel with the others), then attached:
                # ADD CONSTRAINT ... USING INDEX is a catalogue change, not a second build.
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(constraint)}")
                dropped.append(index_sql)
                dropped.append(
                    f"ALTER TABLE {table} ADD CONSTRAINT {_quote(constraint)}"
                    f" UNIQUE USING INDEX {_quote(index)}"
                )
            elif constraint:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(constraint)}")
                dropped.append(
                    f"ALTER TABLE {table} ADD CONSTRAINT {_quote(constraint)} {constraint_sql}"
                )
            else:
                cursor.execute(f"DROP INDEX {_quote(index)}")
                dropped.append(index_sql)
    return dropped


def _drop_sqlite_secondary_indexes() -> list[str]:
    """The same on SQLite, and the search index's triggers: it is refilled once at the end."""
    with connection.cursor() as cursor:
        # Unique constraints are indexes here too; the primary key's has no SQL (autoindex).
        cursor.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
            [TABLE],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {_quote(name)}")
        dropped = [sql for _, sql in found]
        if sqlite_fts.is_installed(cursor):
            sqlite_fts.drop_triggers(cursor)
            dropped += [*sqlite_fts.FILL, *sqlite_fts.TRIGGERS.values()]
    return dropped


def _recreate_indexes(statements: list[str]):
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        # (Other connections would wait for this transaction's locks: build them here, in turn.)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for sql in statements:
                cursor.execute(sql)
        return
    # CREATE INDEX statements run side by side on INDEX_BUILDERS connections (each takes a SHARE
    # lock, which do not conflict); the trigram GIN index, the longest, starts first. ALTER
    # TABLEs (which lock the table) come after, one by one.
    builds = sorted(
        (sql for sql in statements if sql.startswith("CREATE")), key=lambda sql: "gin" not in sql
    )
    alters = [sql for sql in statements if not sql.startswith("CREATE")]
    pending = iter(builds)
    lock = threading.Lock()

    def builder():
        try:
            with connection.cursor() as cursor:
                # More room than the default 64 MB: the trigram GIN index builds ~10% faster.
                cursor.execute("SET maintenance_work_mem = '512MB'")
                while True:
                    with lock:
                        sql = next(pending, None)
                    if sql is None:
                        return
                    cursor.execute(sql)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(INDEX_BUILDERS) as pool:
        for future in [pool.submit(builder) for _ in range(INDEX_BUILDERS)]:
            future.result()
    with connection.cursor() as cursor:
        for sql in alters:
            cursor.execute(sql)


def _analyze(*, vacuum: bool):
    with connection.cursor() as cursor:
        if vacuum and not connection.in_atomic_block:
            # After a bulk load: set the visibility map (index-only scans) and hint bits now,
            # rather than on the first queries.
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(TABLE)}")
        else:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(TABLE)}")
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Log._meta.db_table)}")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
