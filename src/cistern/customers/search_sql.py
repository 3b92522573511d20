"""The SQL that creates each database's search index over the account search documents.

Kept free of model imports so migration ``0003_search_index`` can use it as it stands.
See ``customers/search_index.py`` for how the documents are kept and rebuilt.
"""

DOC_TABLE = "customers_accountsearchdocument"
FTS_TABLE = "customers_accountsearch_fts"
PG_INDEX = "customers_search_lexemes_gin"

SQLITE_FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"text, content='{DOC_TABLE}', content_rowid='account_id', "
    "tokenize=\"unicode61 tokenchars '@._+-'\", prefix='1 2 3')"
)
SQLITE_TRIGGERS_CREATE = (
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {DOC_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.account_id, new.text); END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {DOC_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) "
    "VALUES ('delete', old.account_id, old.text); "
    "END",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON {DOC_TABLE} BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) "
    "VALUES ('delete', old.account_id, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.account_id, new.text); END",
)
SQLITE_TRIGGERS_DROP = tuple(
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}" for suffix in ("ai", "ad", "au")
)
SQLITE_DROP = (*SQLITE_TRIGGERS_DROP, f"DROP TABLE IF EXISTS {FTS_TABLE}")
PG_LEXEMES = "array_to_tsvector(string_to_array(text, ' '))"
PG_CREATE = (f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON {DOC_TABLE} USING gin ({PG_LEXEMES})",)
PG_DROP = (f"DROP INDEX IF EXISTS {PG_INDEX}",)
