"""The hasher of one-time initial passwords made by an import.

An initial password is 14 random characters from 56 (≈ 81 bits): its strength is its entropy,
not the hasher's work factor, so a few PBKDF2 rounds suffice. With Django's default 1,000,000
rounds (≈ 0.4 s each) a roster of 10,000 accounts would take an hour to import. Listed last in
PASSWORD_HASHERS, it is never used for a password a person chooses, and Django re-hashes the
initial password with the default hasher at the first login; the account must change it then.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_initial"
    iterations = 100
