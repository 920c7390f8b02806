-- Search index of the chemnitz_search backend: the PostgreSQL counterpart of CKAN's Solr core.
--
-- It lives in its own schema of the CKAN database, so index writes share the transaction of the
-- dataset change that causes them, and CKAN's database resets (``ckan db clean``, test fixtures)
-- leave it alone exactly as they leave a Solr core alone.
-- ``{unaccent}`` is replaced by the schema-qualified unaccent dictionary before execution.

CREATE SCHEMA IF NOT EXISTS chemnitz_search;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
                   WHERE n.nspname = 'chemnitz_search' AND c.cfgname = 'german') THEN
        -- German snowball stemming after removing accents, so "Straße"/"Strasse", "Café"/"Cafe"
        -- and "Schulen"/"Schule" meet on the same lexeme.
        CREATE TEXT SEARCH CONFIGURATION chemnitz_search.german (COPY = pg_catalog.german);
        ALTER TEXT SEARCH CONFIGURATION chemnitz_search.german
            ALTER MAPPING FOR hword, hword_part, word, asciiword, asciihword, hword_asciipart
            WITH {unaccent}, german_stem;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS chemnitz_search.package_index (
    index_id            text PRIMARY KEY,      -- md5(id || site_id), CKAN's unique key in Solr
    id                  text NOT NULL,
    site_id             text NOT NULL,
    name                text,
    state               text,
    capacity            text,                  -- 'public' or 'private'
    metadata_created    timestamptz,
    metadata_modified   timestamptz,
    indexed_ts          timestamptz NOT NULL DEFAULT now(),
    title_string        text,
    permission_labels   text[] NOT NULL DEFAULT '{}',
    fields              jsonb NOT NULL,        -- exact-match fields: {"tags": ["a", "b"], ...}
    doc                 jsonb NOT NULL,        -- the document as indexed, returned through ``fl``
    data_dict           text,
    validated_data_dict text,
    search_vector       tsvector NOT NULL,     -- all text, weighted A title > B notes > C tags > D rest
    title_vector        tsvector NOT NULL,
    notes_vector        tsvector NOT NULL
);

CREATE INDEX IF NOT EXISTS package_index_search_vector ON chemnitz_search.package_index USING gin (search_vector);
CREATE INDEX IF NOT EXISTS package_index_title_vector ON chemnitz_search.package_index USING gin (title_vector);
CREATE INDEX IF NOT EXISTS package_index_notes_vector ON chemnitz_search.package_index USING gin (notes_vector);
CREATE INDEX IF NOT EXISTS package_index_fields ON chemnitz_search.package_index USING gin (fields jsonb_path_ops);
CREATE INDEX IF NOT EXISTS package_index_labels ON chemnitz_search.package_index USING gin (permission_labels);
CREATE INDEX IF NOT EXISTS package_index_site_id ON chemnitz_search.package_index (site_id, id);
CREATE INDEX IF NOT EXISTS package_index_site_name ON chemnitz_search.package_index (site_id, name);
CREATE INDEX IF NOT EXISTS package_index_modified ON chemnitz_search.package_index (metadata_modified);
CREATE INDEX IF NOT EXISTS package_index_created ON chemnitz_search.package_index (metadata_created);

-- Lenient casts for range filters on values that are stored as text.
CREATE OR REPLACE FUNCTION chemnitz_search.to_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN value::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION chemnitz_search.to_numeric(value text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN value::numeric;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

-- A stored field value as a JSON array, whether it was indexed as a scalar or a list.
CREATE OR REPLACE FUNCTION chemnitz_search.as_array(value jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN value IS NULL OR jsonb_typeof(value) = 'null' THEN '[]'::jsonb
        WHEN jsonb_typeof(value) = 'array' THEN value
        ELSE jsonb_build_array(value)
    END
$$;

CREATE TABLE IF NOT EXISTS chemnitz_search.schema_version (version integer NOT NULL);
