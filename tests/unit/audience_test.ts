import assert from "node:assert/strict";
import { parseAudience, typedAudience } from "../../routes/admin/audience.ts";

const B1 = "01KBUILD0000000000000000B1";
const B2 = "01KBUILD0000000000000000B2";

Deno.test("audience: everybody, or the ticked buildings (each once)", () => {
  assert.deepEqual(parseAudience("all", []), { ok: true, audience: { kind: "all" } });
  assert.deepEqual(parseAudience("buildings", [B1, B2, B1]), {
    ok: true,
    audience: { kind: "buildings", buildingIds: [B1, B2] },
  });
});

Deno.test("audience: unclear choices are refused with a Polish message", () => {
  const refused = (audience: string, ids: string[]) => {
    const r = parseAudience(audience, ids);
    assert.equal(r.ok, false);
    return r.ok ? "" : r.error;
  };
  assert.match(refused("", []), /Wybierz, do kogo/);
  assert.match(refused("everyone", []), /Wybierz, do kogo/);
  assert.match(refused("buildings", []), /Zaznacz co najmniej jeden budynek/);
  assert.match(refused("all", [B1]), /Zaznaczono budynki, ale wybrano „Wszyscy mieszkańcy”/);
  assert.match(refused("buildings", ["../x"]), /Nieznany budynek/);
});

Deno.test("audience as typed: bounded, anything but 'buildings' re-fills as everybody", () => {
  assert.deepEqual(typedAudience("buildings", ["x".repeat(100)]), {
    audience: "buildings",
    buildingIds: ["x".repeat(40)],
  });
  assert.equal(typedAudience("?", []).audience, "all");
  assert.equal(typedAudience("b", Array(600).fill(B1)).buildingIds.length, 500);
});
