/**
 * Passwords that meet the rule yet are guessed first: the most common ones worldwide and in
 * Poland, in the forms the rule lets through (a capital letter added). Compared case-blind.
 */
const COMMON = `
password password1 password12 password123 passw0rd qwerty qwerty1 qwerty12 qwerty123 qwertyuiop
qwerty1234 qwertz qazwsx qazwsx123 zaq12wsx zaq1@wsx 1qaz2wsx abc1234 abcd1234 abcdef abc12345
letmein letmein1 welcome welcome1 welcome123 admin123 administrator monkey123 dragon123 iloveyou
sunshine princess football baseball master123 superman batman123 trustno1 starwars whatever
haslo haslo1 haslo12 haslo123 haslo1234 hasło hasło1 hasło123 haslo2024 haslo2025 haslo2026
polska polska1 polska12 polska123 polska2024 polska2025 polska2026 kochanie kochanie1 kochanie123
zaq12wsx1 marcin123 agnieszka kasia123 tomek123 michal123 piotrek123 mateusz123 monika123
bartek123 kacper123 zuzia123 krzysiek123 dupa1234 lodowka1 misiek misiek1 misiek123 kotek123
piesek123 myszka123 slonce123 niebieski legia123 lech1234 wisla123 barcelona realmadrid
mieszkanie mieszkanie1 spoldzielnia ebok1234 ebok2024 ebok2025 ebok2026 nadodrze nadodrze1
glogow glogow1 glogow123 wroclaw1 warszawa warszawa1 krakow123 poznan123 gdansk123
styczen luty marzec kwiecien maj2024 czerwiec lipiec sierpien wrzesien pazdziernik listopad grudzien
zima2024 zima2025 zima2026 lato2024 lato2025 lato2026 wiosna2025 jesien2025 jesien2026
test123 test1234 testtest changeme changeme1 default1 secret1 secret123 pass1234 login123
`.trim().split(/\s+/);

const set = new Set(COMMON.map((p) => p.toLowerCase()));

export function isCommonPassword(password: string): boolean {
  return set.has(password.toLowerCase());
}
