-- The shop store beside Rasa's tracker store (POSTGRES_DB creates `rasa`); Alembic migrates it on start.
CREATE DATABASE shop OWNER shop;
