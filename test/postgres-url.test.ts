/** PostgreSQL URLs as `--db` takes them and as they are printed: never with a password. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { driverUrl } from "../source/store/postgres/database-url.js";
import { isPostgresUrl, redactedUrl } from "../source/store/postgres/index.js";

test("a PostgreSQL URL is told from a store file's path", () => {
	for (const url of ["postgres://db/keys", "postgresql://db/keys", "POSTGRES://db/keys"]) assert.equal(isPostgresUrl(url), true, url);
	for (const path of ["keys.db", "./postgres/keys.db", "/srv/postgres:/keys.db", "mysql://db/keys"]) assert.equal(isPostgresUrl(path), false, path);
});

test("a printed URL never carries the password, wherever it was given", () => {
	const cases: [string, string][] = [
		["postgres://app:s3cret@db.example:5432/keys", "postgres://app:***@db.example:5432/keys"],
		["postgres://app:p%40ss@db1:5432,db2:5432/keys?target_session_attrs=primary", "postgres://app:***@db1:5432,db2:5432/keys?target_session_attrs=primary"],
		["postgres://app:with@sign@db/keys", "postgres://app:***@db/keys"],
		["postgres://app@db/keys?sslmode=require&password=s3cret", "postgres://app@db/keys?sslmode=require&password=***"],
		["postgresql://db/keys?PASSWORD=s3cret&sslpassword=k3y#frag", "postgresql://db/keys?PASSWORD=***&sslpassword=***#frag"],
		["postgres://app@/keys?host=%2Fvar%2Frun%2Fpostgresql", "postgres://app@/keys?host=%2Fvar%2Frun%2Fpostgresql"],
		["postgres://db", "postgres://db"],
	];
	for (const [url, printed] of cases) assert.equal(redactedUrl(url), printed, url);
});

test("a password given as ?password= (libpq's form) is taken out of the URL to sign in with", () => {
	assert.deepEqual(driverUrl("postgres://app@db/keys?sslmode=require&password=s3cr%20et#x"), { url: "postgres://app@db/keys?sslmode=require#x", password: "s3cr et" });
	assert.deepEqual(driverUrl("postgres://app@db1,db2/keys?password=p&target_session_attrs=primary"), {
		url: "postgres://app@db1,db2/keys?target_session_attrs=primary",
		password: "p",
	});
	assert.deepEqual(driverUrl("postgres://app@db/keys?password=p"), { url: "postgres://app@db/keys", password: "p" });
	assert.deepEqual(driverUrl("postgres://app:pw@db/keys?sslmode=require"), { url: "postgres://app:pw@db/keys?sslmode=require" });
});
