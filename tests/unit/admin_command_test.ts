import assert from "node:assert/strict";
import { runAdmin } from "../helpers.ts";
import { getStaffByLogin } from "../../domain/accounts/staff.ts";
import { currentTotp, verifyTotp } from "../../domain/accounts/totp.ts";

const admin = runAdmin;

Deno.test("deno task admin create-staff prints exactly one line totp_secret=…", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kvPath = `${dir}/ebok.kv`;
    const res = await admin(
      kvPath,
      "create-staff",
      "--login",
      "anna",
      "--password",
      "Mocne-Haslo-1",
      "--name",
      "Anna Nowak",
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^totp_secret=[A-Z2-7]{32}\n$/);
    const secret = res.stdout.trim().split("=")[1];

    const kv = await Deno.openKv(kvPath);
    try {
      const staff = await getStaffByLogin(kv, "anna");
      assert.equal(staff?.name, "Anna Nowak");
      assert.equal(staff?.role, "admin", "the first staff member manages the others");
      assert.match(staff!.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.ok(verifyTotp(staff!.totpSecret, currentTotp(secret)));
    } finally {
      kv.close();
    }

    const again = await admin(
      kvPath,
      "create-staff",
      "--login",
      "anna",
      "--password",
      "Mocne-Haslo-1",
      "--name",
      "X",
    );
    assert.equal(again.code, 2);
    assert.equal(again.stdout, "");
    assert.match(again.stderr, /already taken/);

    const weak = await admin(
      kvPath,
      "create-staff",
      "--login",
      "jan",
      "--password",
      "abc",
      "--name",
      "Jan",
    );
    assert.equal(weak.code, 2);
    assert.match(weak.stderr, /co najmniej 12 znaków/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("create-staff refuses a password under the staff rule (12+) with one clear line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kvPath = `${dir}/ebok.kv`;
    const res = await admin(
      kvPath,
      "create-staff",
      "--login",
      "jan",
      "--password",
      "Abcdefg",
      "--name",
      "Jan Kowalski",
    );
    assert.equal(res.code, 2);
    assert.equal(res.stdout, "");
    const lines = res.stderr.trim().split("\n");
    assert.equal(lines.length, 1, res.stderr);
    assert.match(lines[0], /^password: .*co najmniej 12 znaków/);
    const kv = await Deno.openKv(kvPath);
    try {
      assert.equal(await getStaffByLogin(kv, "jan"), null, "nothing created");
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
