-- {{generated}}
-- The database of Pingan Grid on this server's PostgreSQL, made once, as its superuser:
--   runuser -u postgres -- psql -v ON_ERROR_STOP=1 < pingan-database.sql
-- The role owns the database but is no superuser, so the extensions the migrations need are
-- created here. docs/deploy.md.
CREATE ROLE "{{db_user}}" LOGIN{{db_password}};
CREATE DATABASE "{{db_name}}" OWNER "{{db_user}}";
\connect "{{db_name}}"
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pgrouting;
