import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  type CooperativeProfile,
  saveCooperativeProfile,
} from "../../domain/backoffice/cooperative.ts";
import { checkPasswordRule } from "../../domain/accounts/password_rule.ts";
import { getReadingWindow, saveReadingWindow } from "../../domain/water/reading_submissions.ts";
import { getRodoNotice, saveRodoText } from "../../domain/access/rodo.ts";
import {
  isBuildingAverageEnabled,
  setBuildingAverageEnabled,
} from "../../domain/water/water_comparison.ts";
import {
  createStaff,
  listStaff,
  setStaffActive,
  STAFF_LOGIN_PATTERN,
} from "../../domain/accounts/staff.ts";
import { totpUri } from "../../domain/accounts/totp.ts";
import {
  getMatterRetentionDays,
  saveMatterRetentionDays,
} from "../../domain/matters/matter_privacy.ts";
import { isValidNip, transferQrMatrix } from "../../domain/balance/transfer_qr.ts";
import type { FieldErrors } from "../../views/form.tsx";
import { staffMenu } from "../../views/menu.ts";
import { type NewStaffShown, SettingsPage } from "../../views/admin/settings.tsx";
import type { AppDeps } from "../context.ts";
import { renderPage } from "../render.tsx";
import { requireStaff, staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { CONTROL_CHARS, readForm, single } from "../validation.ts";

const notices: Record<string, string> = {
  spoldzielnia: "Dane spółdzielni zapisane.",
  odczyty: "Okres odczytów zapisany.",
  rodo: "Treść informacji RODO zapisana. Nowe wnioski potwierdzą nową wersję.",
  pracownik: "Zmieniono stan konta pracownika.",
  zgloszenia: "Okres przechowywania zamkniętych zgłoszeń zapisany.",
};

const text = (max: number) =>
  z.string().trim().max(max, `Najwyżej ${max} znaków.`).refine(
    (s) => !CONTROL_CHARS.test(s),
    "Niedozwolone znaki.",
  );

const profileSchema = z.object({
  name: text(120).pipe(z.string().min(3, "Podaj nazwę spółdzielni.")),
  shortName: text(20).pipe(z.string().min(2, "Podaj nazwę skróconą (do 20 znaków).")),
  address: text(200),
  email: text(254),
  phone: text(40),
  nip: z.string().trim().transform((s) => s.replace(/[\s-]/g, "")).refine(
    (s) => s === "" || isValidNip(s),
    "NIP: 10 cyfr z poprawną cyfrą kontrolną.",
  ),
  officeHours: text(200),
  emergencyPhone: text(40).refine(
    (s) => s === "" || isPhoneForTel(s),
    "Numer telefonu: cyfry, spacje, „+”, „-”; od 3 do 15 cyfr (np. 993 albo +48 76 833 41 99).",
  ),
});

/** Something a `tel:` link can dial: digits with spaces, dashes, brackets, one leading plus. */
function isPhoneForTel(s: string): boolean {
  const digits = s.replace(/\D/g, "").length;
  return /^\+?[\d\s()-]+$/.test(s) && digits >= 3 && digits <= 15;
}

/**
 * Staff accounts and the cooperative's settings: administrators only.
 * Long because it registers every handler of the area inline after its path (Hono's way: the
 * path's parameter types are inferred); each handler is short: parse, call one domain function, render.
 */
export function settingsRoutes(deps: AppDeps) {
  const { kv, clock, hasher } = deps;
  const app = new Hono<StaffEnv>();
  app.use(requireStaff(deps, ["admin"]));
  /** The signed-in administrator, for the audit entry each change carries. */
  const by = (c: Context<StaffEnv>) => ({ actor: staffActor(c.get("staff")), clock });

  const page = async (
    c: Context<StaffEnv>,
    extra: {
      status?: 200 | 422;
      created?: NewStaffShown;
      staffErrors?: FieldErrors;
      staffValues?: Record<string, string>;
      profileErrors?: FieldErrors;
      profile?: CooperativeProfile;
      matterRetention?: string;
      matterRetentionError?: string;
    } = {},
  ) =>
    renderPage(
      c,
      {
        title: "Ustawienia",
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        status: extra.status ?? 200,
      },
      <SettingsPage
        staff={await listStaff(kv)}
        currentStaffId={c.get("staff").id}
        profile={extra.profile ?? c.get("cooperative")}
        window={await getReadingWindow(kv)}
        buildingAverage={await isBuildingAverageEnabled(kv)}
        rodoText={(await getRodoNotice(kv, c.get("cooperative"))).text}
        notice={notices[c.req.query("wynik") ?? ""]}
        created={extra.created}
        staffErrors={extra.staffErrors}
        staffValues={extra.staffValues}
        profileErrors={extra.profileErrors}
        matterRetention={extra.matterRetention ?? String(await getMatterRetentionDays(kv))}
        matterRetentionError={extra.matterRetentionError}
      />,
    );

  app.get("/", (c) => page(c));

  app.post("/pracownicy", async (c) => {
    const form = await readForm(c.req);
    const values = {
      login: single(form.login).trim().toLowerCase().slice(0, 40),
      name: single(form.name).trim().slice(0, 100),
      role: single(form.role) === "admin" ? "admin" : "office",
    };
    const password = single(form.password).slice(0, 200);
    const errors: FieldErrors = {};
    if (!STAFF_LOGIN_PATTERN.test(values.login)) {
      errors.login = "Login: 3–32 znaki: małe litery, cyfry, kropka, podkreślnik, łącznik.";
    }
    if (values.name.length < 3 || CONTROL_CHARS.test(values.name)) {
      errors.name = "Podaj imię i nazwisko.";
    }
    const rule = checkPasswordRule(password, "staff");
    if (rule.length) errors.password = rule.join(" ");
    if (Object.keys(errors).length) {
      return page(c, { status: 422, staffErrors: errors, staffValues: values });
    }
    const result = await createStaff(kv, clock, hasher, {
      ...values,
      role: values.role as "admin" | "office",
      password,
    }, by(c));
    if (!result.ok) {
      return page(c, {
        status: 422,
        staffErrors: result.reason === "weak_password" ? { password: result.message } : {
          login: result.reason === "login_taken"
            ? "Ten login jest już zajęty."
            : "Nieprawidłowy login.",
        },
        staffValues: values,
      });
    }
    const uri = totpUri(
      `eBOK ${c.get("cooperative").shortName}`,
      result.staff.login,
      result.totpSecret,
    );
    return page(c, {
      created: {
        login: result.staff.login,
        secret: result.totpSecret,
        qr: transferQrMatrix(uri),
      },
    });
  });

  for (const [path, active] of [["wylacz", false], ["wlacz", true]] as const) {
    app.post(`/pracownicy/:id/${path}`, async (c) => {
      const id = c.req.param("id");
      if (id === c.get("staff").id) return c.redirect("/admin/ustawienia", 303);
      const staff = await setStaffActive(kv, id, active, by(c));
      if (!staff) return c.notFound();
      return c.redirect("/admin/ustawienia?wynik=pracownik", 303);
    });
  }

  app.post("/spoldzielnia", async (c) => {
    const form = await readForm(c.req);
    const values = Object.fromEntries(
      ["name", "shortName", "address", "email", "phone", "nip", "officeHours", "emergencyPhone"]
        .map((
          k,
        ) => [k, single(form[k]).slice(0, 300)]),
    );
    const parsed = profileSchema.safeParse(values);
    if (!parsed.success) {
      const profileErrors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        profileErrors[String(issue.path[0])] ??= issue.message;
      }
      return page(c, { status: 422, profileErrors, profile: values as CooperativeProfile });
    }
    await saveCooperativeProfile(kv, parsed.data, by(c));
    return c.redirect("/admin/ustawienia?wynik=spoldzielnia", 303);
  });

  app.post("/odczyty", async (c) => {
    const form = await readForm(c.req);
    const fromDay = Number(single(form.fromDay));
    const toDay = Number(single(form.toDay));
    const ok = (d: number) => Number.isInteger(d) && d >= 1 && d <= 28;
    if (!ok(fromDay) || !ok(toDay)) {
      return page(c, { status: 422 });
    }
    await saveReadingWindow(kv, { fromDay, toDay }, by(c));
    return c.redirect("/admin/ustawienia?wynik=odczyty", 303);
  });

  app.post("/zgloszenia", async (c) => {
    const days = single((await readForm(c.req)).matterRetentionDays).slice(0, 20);
    const saved = await saveMatterRetentionDays(kv, days, by(c));
    if (!saved.ok) {
      return page(c, { status: 422, matterRetention: days, matterRetentionError: saved.message });
    }
    return c.redirect("/admin/ustawienia?wynik=zgloszenia", 303);
  });

  app.post("/woda-srednia", async (c) => {
    const form = await readForm(c.req);
    const enabled = single(form.enabled) === "1";
    await setBuildingAverageEnabled(kv, enabled, by(c));
    return c.redirect("/admin/ustawienia?wynik=odczyty", 303);
  });

  app.post("/rodo", async (c) => {
    const form = await readForm(c.req);
    const text = single(form.text).replace(/\r\n/g, "\n").trim();
    if (text.length < 200 || text.length > 20000) return page(c, { status: 422 });
    await saveRodoText(kv, text, by(c));
    return c.redirect("/admin/ustawienia?wynik=rodo", 303);
  });

  return app;
}
