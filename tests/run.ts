/**
 * `deno task test`: makes sure a Chromium is at hand for the browser tests (installing Debian's
 * package when running as root with apt-get), then runs every test under tests/.
 */
const candidates = [
  Deno.env.get("CHROMIUM_PATH"),
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
];

async function exists(path: string | undefined): Promise<boolean> {
  if (!path) return false;
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(cmd, { args, env, stdout: "inherit", stderr: "inherit" }).spawn();
  return (await child.status).code;
}

async function findChromium(): Promise<string | undefined> {
  for (const c of candidates) if (await exists(c)) return c;
  return undefined;
}

let chromium = await findChromium();
if (!chromium) {
  const root = Deno.uid?.() === 0;
  if (root && await exists("/usr/bin/apt-get")) {
    console.log("Chromium not found: installing Debian's chromium package with apt-get…");
    await run("apt-get", ["update", "-qq"]);
    await run("apt-get", ["install", "-y", "-qq", "chromium"], {
      DEBIAN_FRONTEND: "noninteractive",
    });
    chromium = await findChromium();
  }
  if (!chromium) {
    console.error(
      "Browser tests need Chromium: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.",
    );
    Deno.exit(1);
  }
}

const code = await run(Deno.execPath(), ["test", "--allow-all", ...Deno.args, "tests/"], {
  CHROMIUM_PATH: chromium,
});
Deno.exit(code);
