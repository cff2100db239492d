import assert from "node:assert/strict";
import { type Account, createAccount, updateAccount } from "../../domain/accounts/accounts.ts";
import {
  type Announcement,
  createAnnouncement,
  getAnnouncement,
  listAnnouncements,
  listAnnouncementsFor,
  listUnfinishedEmailFanOuts,
  resumeAnnouncementEmails,
  resumeUnfinishedAnnouncementEmails,
  withdrawAnnouncement,
} from "../../domain/backoffice/announcements.ts";
import type { Actor } from "../../domain/backoffice/audit.ts";
import { listAudit } from "../../domain/backoffice/audit.ts";
import { manualClock } from "../../domain/shared/clock.ts";
import { demoProfile } from "../../domain/demo/demo_data.ts";
import { keys } from "../../domain/shared/keys.ts";
import { listMessages, type Message } from "../../domain/messaging/messages.ts";
import { makeNrb } from "../../domain/shared/nrb.ts";
import { createBuilding, createUnit } from "../../domain/backoffice/register.ts";
import { announcementParagraphs } from "../../views/resident/announcements.tsx";

const staff: Actor = { kind: "staff", id: "01STAFF000000000000000000", label: "Ewa (ewa)" };
const ctx = { coop: demoProfile, baseUrl: "https://ebok.example.pl" };

let nrbSeq = 0;
function nrb() {
  return makeNrb("99900015", String(++nrbSeq).padStart(16, "0"));
}

/** Two buildings; accounts in A, in B, in both, blocked, and without units. */
async function fixture() {
  const kv = await Deno.openKv(":memory:");
  const clock = manualClock(new Date("2026-11-25T10:00:00Z"));
  const a = await createBuilding(kv, clock, {
    street: "Słowiańska",
    number: "27",
    postalCode: "67-200",
    city: "Głogów",
  });
  const b = await createBuilding(kv, clock, {
    street: "Piastowska",
    number: "3",
    postalCode: "67-200",
    city: "Głogów",
  });
  const unit = async (buildingId: string, number: string) => {
    const r = await createUnit(kv, clock, {
      buildingId,
      number,
      kind: "flat",
      areaCm2: 485000,
      persons: 2,
      bankAccount: nrb(),
      occupants: [],
    });
    assert.ok(r.ok);
    return r.unit.id;
  };
  const a1 = await unit(a.id, "1");
  const a2 = await unit(a.id, "2");
  const b1 = await unit(b.id, "1");
  let n = 0;
  const account = async (unitIds: string[]) => {
    n++;
    const acc = await createAccount(kv, clock, {
      firstName: `Osoba${n}`,
      lastName: "Testowa",
      email: `osoba${n}@example.pl`,
      phone: "+48600000000",
      unitIds,
      passwordHash: null,
    });
    assert.ok(acc);
    return acc;
  };
  const inA1 = await account([a1]);
  const inA2 = await account([a2]);
  const inB = await account([b1]);
  const inBoth = await account([a1, b1]);
  const blocked = await account([a2]);
  await updateAccount(kv, blocked.id, (x) => ({ ...x, status: "blocked" }));
  const noUnits = await account([]);
  return { kv, clock, a, b, accounts: { inA1, inA2, inB, inBoth, blocked, noUnits } };
}

function announcementMessages(messages: Message[]) {
  return messages.filter((m) => m.purpose === "announcement");
}

Deno.test("announcements: audience by buildings, newest first, nothing for others", async () => {
  const { kv, clock, a, b } = await fixture();
  try {
    const all = await createAnnouncement(kv, clock, {
      title: "Przerwa w dostawie wody",
      body: "Jutro od 8:00 do 12:00.",
      audience: { kind: "all" },
    }, { staff, email: false, ctx });
    assert.ok(all.ok);
    clock.advance(60_000);
    const onlyA = await createAnnouncement(kv, clock, {
      title: "Przegląd gazowy Słowiańska 27",
      body: "W środę.",
      audience: { kind: "buildings", buildingIds: [a.id] },
    }, { staff, email: false, ctx });
    assert.ok(onlyA.ok);

    const titles = async (ids: string[]) =>
      (await listAnnouncementsFor(kv, clock, ids)).map((x) => x.title);
    assert.deepEqual(await titles([a.id]), [
      "Przegląd gazowy Słowiańska 27",
      "Przerwa w dostawie wody",
    ]);
    assert.deepEqual(await titles([b.id]), ["Przerwa w dostawie wody"]);
    assert.deepEqual(await titles([]), ["Przerwa w dostawie wody"]);
    assert.deepEqual(await titles([b.id, a.id]), await titles([a.id]));

    const unknown = await createAnnouncement(kv, clock, {
      title: "Nic",
      body: "Nic.",
      audience: { kind: "buildings", buildingIds: ["01NOSUCHBUILDING0000000000"] },
    }, { staff, email: false, ctx });
    assert.deepEqual(unknown, { ok: false, reason: "unknown_building" });
    assert.equal((await listAnnouncements(kv)).length, 2);
    const audit = await listAudit(kv);
    assert.equal(audit.filter((e) => e.action === "announcement.published").length, 2);
  } finally {
    kv.close();
  }
});

Deno.test("announcements: visible through the last day (in Poland), hidden once withdrawn", async () => {
  const { kv, clock } = await fixture();
  try {
    const r = await createAnnouncement(kv, clock, {
      title: "Zebranie mieszkańców",
      body: "W piątek.",
      audience: { kind: "all" },
      visibleUntil: "2026-11-27",
    }, { staff, email: false, ctx });
    assert.ok(r.ok);
    const visible = async () => (await listAnnouncementsFor(kv, clock, [])).length === 1;
    assert.ok(await visible());
    clock.set(new Date("2026-11-27T22:59:00Z")); // 23:59 on the 27th in Warsaw
    assert.ok(await visible(), "still the last day in Poland");
    clock.set(new Date("2026-11-27T23:00:00Z")); // midnight: the 28th in Warsaw
    assert.ok(!(await visible()), "hidden from the next day on");

    clock.set(new Date("2026-11-25T12:00:00Z"));
    assert.ok(await visible());
    const withdrawn = await withdrawAnnouncement(kv, clock, r.announcement.id, staff);
    assert.ok(withdrawn.ok);
    assert.ok(!(await visible()));
    assert.deepEqual(await withdrawAnnouncement(kv, clock, r.announcement.id, staff), {
      ok: false,
      reason: "already_withdrawn",
    });
    assert.deepEqual(await withdrawAnnouncement(kv, clock, "nope", staff), {
      ok: false,
      reason: "not_found",
    });
    assert.equal((await listAnnouncements(kv)).length, 1, "staff still see it");
  } finally {
    kv.close();
  }
});

Deno.test("announcements: one e-mail per active account of the audience", async () => {
  const { kv, clock, a, accounts } = await fixture();
  try {
    const r = await createAnnouncement(kv, clock, {
      title: "Wymiana wodomierzy",
      body: "Pierwszy akapit.\n\nDrugi akapit.",
      audience: { kind: "buildings", buildingIds: [a.id] },
    }, { staff, email: true, ctx, chunkSize: 2 });
    assert.ok(r.ok);
    const sent = announcementMessages(await listMessages(kv, { limit: 1000 }));
    const expected = [accounts.inA1, accounts.inA2, accounts.inBoth].map((x) => x.email).sort();
    assert.deepEqual(
      sent.map((m) => m.to).sort(),
      expected,
      "blocked and other buildings left out",
    );
    assert.equal(r.announcement.emailed.queued, 3);
    assert.ok(r.announcement.emailed.completedAt);
    assert.match(sent[0].subject!, /^eBOK — komunikat: Wymiana wodomierzy$/);
    assert.match(sent[0].text, /Pierwszy akapit\.\n\nDrugi akapit\./);
    assert.ok(sent.every((m) => m.subjectRef?.startsWith("account:")));
    const audit = await listAudit(kv);
    const done = audit.find((e) => e.action === "announcement.emails_queued");
    assert.equal(done?.details?.queued, 3);

    // Everybody: every active account, with or without units.
    const everybody = await createAnnouncement(kv, clock, {
      title: "Dla wszystkich",
      body: "Treść.",
      audience: { kind: "all" },
    }, { staff, email: true, ctx });
    assert.ok(everybody.ok);
    assert.equal(everybody.announcement.emailed.queued, 5);
    // Running it again sends nothing more.
    const again = await resumeAnnouncementEmails(kv, clock, everybody.announcement.id, ctx);
    assert.equal(again.queued, 0);
    assert.equal(announcementMessages(await listMessages(kv, { limit: 1000 })).length, 8);
  } finally {
    kv.close();
  }
});

/** A KV whose commits fail ("the process died") after `allowed` successful ones. */
function crashingKv(kv: Deno.Kv, allowed: number): Deno.Kv {
  let commits = 0;
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => {
            if (commits >= allowed) return Promise.reject(new Error("simulated crash"));
            commits++;
            return commit();
          };
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function manyAccounts(kv: Deno.Kv, clock: ReturnType<typeof manualClock>, n: number) {
  const out: Account[] = [];
  for (let i = 0; i < n; i++) {
    const acc = await createAccount(kv, clock, {
      firstName: `Mieszkaniec${i}`,
      lastName: "Liczny",
      email: `m${i}@example.pl`,
      phone: "+48600000000",
      unitIds: [],
      passwordHash: null,
    });
    out.push(acc!);
  }
  return out;
}

function assertNoDuplicates(messages: Message[]) {
  const to = messages.map((m) => m.to);
  assert.equal(new Set(to).size, to.length, `duplicates: ${to.length - new Set(to).size}`);
}

Deno.test("announcements: a fan-out that crashed midway is resumed without e-mailing anyone twice", async () => {
  const { kv, clock } = await fixture();
  try {
    await manyAccounts(kv, clock, 20); // 25 active accounts in all
    // Commit 1 stores the announcement; 2 and 3 are chunks of 4; then the process "dies".
    await assert.rejects(
      createAnnouncement(crashingKv(kv, 3), clock, {
        title: "Awaria windy",
        body: "Winda nie działa.",
        audience: { kind: "all" },
      }, { staff, email: true, ctx, chunkSize: 4 }),
      /simulated crash/,
    );
    const [stuck] = await listUnfinishedEmailFanOuts(kv);
    assert.ok(stuck, "the announcement is stored and its fan-out unfinished");
    assert.equal(stuck.emailed.queued, 8);
    assert.equal(announcementMessages(await listMessages(kv, { limit: 1000 })).length, 8);
    assert.equal(
      (await listAnnouncementsFor(kv, clock, [])).length,
      1,
      "residents see it meanwhile",
    );

    // The periodic job leaves a fan-out that may still be running (within the grace) alone.
    assert.equal(await resumeUnfinishedAnnouncementEmails(kv, clock, ctx), 0);
    // Two resumes at once (say the staff button and a sweep): still one e-mail each.
    const [r1, r2] = await Promise.all([
      resumeAnnouncementEmails(kv, clock, stuck.id, ctx, { chunkSize: 3 }),
      resumeAnnouncementEmails(kv, clock, stuck.id, ctx, { chunkSize: 3 }),
    ]);
    assert.equal(r1.queued + r2.queued, 17);
    const sent = announcementMessages(await listMessages(kv, { limit: 1000 }));
    assert.equal(sent.length, 25);
    assertNoDuplicates(sent);
    const done = (await getAnnouncement(kv, stuck.id)) as Announcement;
    assert.equal(done.emailed.queued, 25);
    assert.ok(done.emailed.completedAt);
    assert.deepEqual(await listUnfinishedEmailFanOuts(kv), []);
    assert.equal((await resumeAnnouncementEmails(kv, clock, stuck.id, ctx)).queued, 0);
  } finally {
    kv.close();
  }
});

Deno.test("announcements: an account already marked for the announcement is never e-mailed again", async () => {
  const { kv, clock } = await fixture();
  try {
    const accounts = await manyAccounts(kv, clock, 6);
    await assert.rejects(
      createAnnouncement(crashingKv(kv, 1), clock, {
        title: "Tytuł",
        body: "Treść.",
        audience: { kind: "all" },
      }, { staff, email: true, ctx }),
      /simulated crash/,
    );
    const [stuck] = await listUnfinishedEmailFanOuts(kv);
    assert.equal(stuck.emailed.queued, 0);
    // An anomaly: a marker exists beyond the cursor (as if queued by a run the cursor missed).
    await kv.set(keys.announcementEmails(stuck.id, accounts[3].id), "01EARLIERMESSAGE0000000000");
    const r = await resumeAnnouncementEmails(kv, clock, stuck.id, ctx, { chunkSize: 2 });
    assert.equal(r.queued, 10);
    const sent = announcementMessages(await listMessages(kv, { limit: 1000 }));
    assert.ok(!sent.some((m) => m.to === accounts[3].email));
    assertNoDuplicates(sent);
  } finally {
    kv.close();
  }
});

Deno.test("announcements: a withdrawn announcement's unfinished fan-out stops", async () => {
  const { kv, clock } = await fixture();
  try {
    await assert.rejects(
      createAnnouncement(crashingKv(kv, 2), clock, {
        title: "Tytuł",
        body: "Treść.",
        audience: { kind: "all" },
      }, { staff, email: true, ctx, chunkSize: 2 }),
      /simulated crash/,
    );
    const [stuck] = await listUnfinishedEmailFanOuts(kv);
    assert.ok((await withdrawAnnouncement(kv, clock, stuck.id, staff)).ok);
    clock.advance(60 * 60_000);
    assert.equal(await resumeUnfinishedAnnouncementEmails(kv, clock, ctx), 0);
    assert.equal((await resumeAnnouncementEmails(kv, clock, stuck.id, ctx)).queued, 0);
    assert.equal(announcementMessages(await listMessages(kv)).length, 2);
  } finally {
    kv.close();
  }
});

Deno.test("announcement text: paragraphs at blank lines, line breaks kept", () => {
  assert.deepEqual(announcementParagraphs("Raz\ndwa\r\n\r\n\n  \nTrzy\n"), [["Raz", "dwa"], [
    "Trzy",
  ]]);
  assert.deepEqual(announcementParagraphs(""), []);
});

Deno.test("announcements: the periodic job finishes fan-outs left unfinished past the grace", async () => {
  const { kv, clock } = await fixture();
  try {
    await manyAccounts(kv, clock, 5); // 10 active accounts
    await assert.rejects(
      createAnnouncement(crashingKv(kv, 2), clock, {
        title: "Tytuł",
        body: "Treść.",
        audience: { kind: "all" },
      }, { staff, email: true, ctx, chunkSize: 3 }),
      /simulated crash/,
    );
    clock.advance(11 * 60_000);
    assert.equal(await resumeUnfinishedAnnouncementEmails(kv, clock, ctx), 7);
    const sent = announcementMessages(await listMessages(kv, { limit: 1000 }));
    assert.equal(sent.length, 10);
    assertNoDuplicates(sent);
    assert.deepEqual(await listUnfinishedEmailFanOuts(kv), []);
  } finally {
    kv.close();
  }
});
