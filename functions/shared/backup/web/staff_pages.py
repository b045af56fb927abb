"""The staff sign-in page (/staff). Staff pages sit behind the HTTP API's JWT authorizer, which
reads the token from the Authorization header: this page signs in (POST /staff/sign-in), keeps
the token for the browser tab only (sessionStorage) and fetches the staff pages with it."""

from __future__ import annotations

import base64
import hashlib
import json

from backup.web.html import e, layout, message_page

STAFF_PAGES = (
    ("/konsulent", "Mine åbne trin"),
    ("/recruitment", "Rekrutteringsbehov"),
    ("/arrangementer", "Netværksdage og supervision"),
)


def sign_in_page() -> str:
    options = "".join(f'<option value="{e(path)}">{e(title)}</option>' for path, title in STAFF_PAGES)
    body = f"""
<h1>Log ind for medarbejdere</h1>
<p>Siderne for konsulenter og drift kræver, at du er logget ind. Du forbliver logget ind i denne fane, til du
lukker den, dog højst en time.</p>
<div id="status" role="status" aria-live="polite" tabindex="-1"></div>
<form id="sign-in" method="post" action="/staff/sign-in" novalidate>
<div><label for="username">E-mail</label><input type="email" id="username" name="username" autocomplete="username"
 required></div>
<div><label for="password">Adgangskode</label><input type="password" id="password" name="password"
 autocomplete="current-password" required></div>
<div id="new-password-box" hidden><label for="new_password">Ny adgangskode</label>
<p class="hint" id="new_password-hint">Første gang skal du vælge din egen adgangskode: mindst 12 tegn.</p>
<input type="password" id="new_password" name="new_password" autocomplete="new-password"
 aria-describedby="new_password-hint"></div>
<div><label for="page">Side</label><select id="page" name="page">{options}</select></div>
<button type="submit">Log ind</button>
</form>
<script>{SCRIPT}</script>"""
    return layout("Log ind", body)


SCRIPT = """
(function () {
  var form = document.getElementById("sign-in"), status = document.getElementById("status"), session = "";
  function say(text) { status.innerHTML = ""; var p = document.createElement("p"); p.className = "error";
    p.textContent = text; status.appendChild(p); status.focus(); }
  var staffPaths = STAFF_PATHS;
  function isStaff(path) { return staffPaths.some(function (p) { return path === p || path.indexOf(p + "/") === 0; }); }
  async function show(token, page, options) {
    var request = Object.assign({headers: {"Authorization": "Bearer " + token, "Accept": "text/html"}}, options || {});
    var answer = await fetch(page, request);
    if (answer.status === 401) {
      sessionStorage.removeItem("backup-staff-token");
      if (form.isConnected) { say("Log venligst ind igen."); } else { location.replace("/staff"); }
      return;
    }
    var html = await answer.text();
    document.open(); document.write(html); document.close();
    history.replaceState(null, "", "/staff?side=" + encodeURIComponent(page));
    // the staff pages' own links and forms go through here too, with the token
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || link.origin !== location.origin || !isStaff(link.pathname)) { return; }
      event.preventDefault(); show(token, link.pathname);
    });
    document.addEventListener("submit", function (event) {
      var sent = event.target, path = new URL(sent.action, location.href).pathname;
      if (!isStaff(path)) { return; }
      event.preventDefault();
      show(token, path, {method: "POST", body: new URLSearchParams(new FormData(sent)),
        headers: {"Authorization": "Bearer " + token, "Accept": "text/html",
          "Content-Type": "application/x-www-form-urlencoded"}});
    });
  }
  var saved = sessionStorage.getItem("backup-staff-token");
  if (saved) { show(saved, new URLSearchParams(location.search).get("side") || "/konsulent"); }
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var data = {username: form.username.value, password: form.password.value};
    if (session) { data.new_password = form.new_password.value; data.session = session; }
    var answer = await fetch("/staff/sign-in", {method: "POST", headers: {"Content-Type": "application/json",
      "Accept": "application/json"}, body: JSON.stringify(data)});
    var reply = await answer.json();
    if (answer.ok && reply.id_token) {
      sessionStorage.setItem("backup-staff-token", reply.id_token); show(reply.id_token, form.page.value); return;
    }
    if (answer.ok && reply.session) {
      session = reply.session; document.getElementById("new-password-box").hidden = false;
      form.new_password.focus(); say("Vælg en ny adgangskode for at fortsætte."); return;
    }
    say(reply.message || "Log ind mislykkedes.");
  });
})();
"""
SCRIPT = SCRIPT.replace("STAFF_PATHS", json.dumps([path for path, _ in STAFF_PAGES]))
# The pages' policy forbids scripts; the sign-in page allows exactly this one (by its hash) and
# fetches from its own origin only.
SIGN_IN_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def needs_javascript_page() -> str:
    """A sign-in posted without the page's script (JavaScript turned off)."""
    return message_page(
        "Log ind kræver JavaScript",
        "Siderne for medarbejdere bruger JavaScript til at holde dig logget ind. Slå JavaScript til, og prøv igen.",
    )
