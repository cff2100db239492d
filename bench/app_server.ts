/**
 * Starts the real eBOK server exactly as `deno run --allow-all main.ts` does (main.ts does all
 * its work at import), under a command line that does not contain "main.ts": on a shared
 * development machine, something that restarts its own server with a by-name kill
 * (`pkill -f main.ts`) would otherwise end the bench's server mid-run (seen here: SIGTERM,
 * exit code 143).
 */
import "../main.ts";
