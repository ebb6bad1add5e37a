// Recon — the pharmacists' page: upload, review line by line, qualify, validate, download.
// Plain JavaScript, no external resource; every text from a document is set with textContent.
"use strict";

const STATUS = {
  unchanged: { word: "poursuivi", icon: "=" },
  modified: { word: "modifié", icon: "≠" },
  substituted: { word: "remplacé", icon: "⇄" },
  suspended: { word: "suspendu", icon: "⏸" },
  stopped: { word: "arrêté", icon: "✕" },
  // a usual drug absent from the hospital prescription with no written reason: not a stop, to confirm
  omission: { word: "non repris — à confirmer", icon: "?" },
  added: { word: "ajouté", icon: "+" },
};
const SEVERITY = { high: "Important", medium: "À vérifier", info: "Information" };
const QUALIFICATIONS = [
  ["documented", "Intentionnelle documentée"],
  ["undocumented", "Intentionnelle non documentée"],
  ["unintentional", "Non intentionnelle (erreur)"],
];
const ERROR_TYPES = [
  ["omission", "Omission"], ["dose", "Dose"], ["posologie", "Posologie"], ["medicament", "Médicament"],
  ["forme", "Forme"], ["voie", "Voie"], ["ajout", "Ajout"],
];
const FIELD_FR = {
  strength: "dosage", dose: "dose", frequency: "fréquence", route: "voie", form: "forme", duration: "durée",
  as_needed: "si besoin", substance: "substance",
};
const SIDE_FR = { before: "Traitement habituel", after: "Prescription hospitalière" };

const state = { id: null, report: null, view: null, review: null, source: null, selected: null };

// -- small helpers -----------------------------------------------------------------------------
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function say(message) { $("#status").textContent = message; }

// a user name as the page shows it: no internal word
function who(name) { return name === "anonymous" ? "anonyme" : name || ""; }

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

function headers(extra = {}) {
  const key = sessionStorage.getItem("recon-api-key");
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `erreur ${status}`);
    this.status = status;
    this.code = problem.code || `E${status}`;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers || {}) });
  if (response.status === 401) {
    $("#auth").hidden = false;
    $("#api-key").focus();
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  return response;
}

const MESSAGES = {
  E101: "fichier introuvable.",
  E102: "type de fichier non pris en charge : envoyez un PDF, un texte (.txt) ou une image.",
  E103: "le document est vide ou aucune page n'a pu être lue.",
  E104: "le document est illisible (PDF endommagé ou protégé, encodage inconnu).",
  E105: "le document est trop volumineux.",
  E107: "la lecture du document a pris trop de temps.",
  E108: "cette ligne ou ce médicament n'existe pas dans la conciliation.",
  E109: "ce nom n'est pas dans le référentiel des médicaments : choisissez un candidat ou cherchez-le.",
  E401: "accès refusé : saisissez votre clé d'accès.",
  E404: "conciliation introuvable (elle a peut-être expiré).",
  E413: "envoi trop volumineux.",
  E415: "format d'envoi non pris en charge.",
  E429: "trop de demandes : réessayez dans une minute.",
  E503: "le serveur est occupé : réessayez dans un instant.",
};

function explain(error) {
  if (error instanceof ApiError) {
    const known = MESSAGES[error.code];
    const detail = error.message.replace(/^\[E\d+\]\s*/, "");
    return known ? `Erreur ${error.code} : ${known}` : `Erreur ${error.code} : ${detail}`;
  }
  return `Erreur : ${error.message}`;
}

function drugOf(side, id) {
  const m = id && state.report ? medication(side, id) : null;
  return m ? m.drug_text : null;
}

function lineName(lineId) {
  const row = state.view && state.view.rows.find((r) => r.id === lineId);
  if (!row) return "la ligne";
  const med = row.after || row.before;
  return med ? med.name : "la ligne";
}

function pairName(pair) {
  const [b, a] = pair.split(">");
  const names = [drugOf("before", b === "-" ? null : b), drugOf("after", a === "-" ? null : a)].filter(Boolean);
  return [...new Set(names)].join(" → ") || pair;
}

function when(iso) {
  const d = new Date(iso.endsWith("Z") || iso.includes("+") ? iso : `${iso}Z`);
  return d.toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Paris" });
}

// -- upload ------------------------------------------------------------------------------------
function listFiles(input) {
  const list = $(`#${input.id}-files`);
  list.replaceChildren(...[...input.files].map((f) => el("li", { text: `${f.name} (${Math.ceil(f.size / 1024)} ko)` })));
}

function setupDrop(zone, input) {
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const dt = new DataTransfer();
    const files = [...e.dataTransfer.files];
    for (const f of input.multiple ? files : files.slice(0, 1)) dt.items.add(f);
    input.files = dt.files;
    listFiles(input);
  });
  input.addEventListener("change", () => listFiles(input));
}

async function runReconciliation(event) {
  event.preventDefault();
  showError("");
  const before = $("#before").files;
  const after = $("#after").files;
  if (!before.length || !after.length) {
    showError("Ajoutez au moins un document de traitement habituel et la prescription hospitalière.");
    (before.length ? $("#after") : $("#before")).focus();
    return;
  }
  const body = new FormData();
  for (const f of before) body.append("before", f, f.name);
  body.append("after", after[0], after[0].name);
  const during = $("#during").files;
  if (during.length) body.append("during", during[0], during[0].name);
  const button = $("#run");
  button.disabled = true;
  say("Lecture des documents et conciliation en cours…");
  try {
    const report = await (await api("/v1/reconcile?store=true", { method: "POST", body })).json();
    history.replaceState(null, "", `#rapport=${report.id}`);
    await load(report.id, report);
    $("#result-title").focus();
  } catch (error) {
    say("");
    showError(explain(error));
  } finally {
    button.disabled = false;
  }
}

// -- loading a report --------------------------------------------------------------------------
async function load(id, report = null) {
  state.id = id;
  const [r, view, review] = await Promise.all([
    report ? Promise.resolve(report) : api(`/v1/reports/${id}`).then((x) => x.json()),
    api(`/v1/reports/${id}/view`).then((x) => x.json()),
    api(`/v1/reports/${id}/review`).then((x) => x.json()),
  ]);
  state.report = r;
  state.view = view;
  state.review = review;
  render();
}

async function refresh() {
  const [view, review] = await Promise.all([
    api(`/v1/reports/${state.id}/view`).then((x) => x.json()),
    api(`/v1/reports/${state.id}/review`).then((x) => x.json()),
  ]);
  state.view = view;
  state.review = review;
  render();
}

function medication(side, id) {
  return (state.report[side].medications || []).find((m) => m.id === id) || null;
}

// -- the table -----------------------------------------------------------------------------------
function render() {
  $("#upload").hidden = true;
  $("#new-report").hidden = false;
  $("#result").hidden = false;
  const v = state.view;
  $("#docs").textContent = v.docs.map((d) => `${d.label} : ${d.name} (${d.n} ligne${d.n > 1 ? "s" : ""})`).join(" · ");
  $("#summary").replaceChildren(
    ...v.counts.filter((c) => c.n).map((c) => el("li", { class: `chip st-${c.status}` },
      el("span", { class: "icon", "aria-hidden": "true", text: (STATUS[c.status] || { icon: "" }).icon }),
      ` ${c.word} : ${c.n}`)),
    el("li", { class: "chip" }, `à vérifier : ${v.needs_review}`),
    el("li", { class: "chip" }, `à qualifier : ${state.review.pending.length}`),
  );
  renderAlerts(v);
  const validated = state.review.validation;
  $("#lines tbody").replaceChildren(...v.rows.map((row) => lineRow(row, Boolean(validated))));
  renderValidation();
  renderHistory();
  say(`${v.total} ligne${v.total > 1 ? "s" : ""} : ${state.review.pending.length} divergence(s) à qualifier.`);
}

function renderAlerts(v) {
  const alerts = v.alerts || [];
  const items = alerts.map((a) => el("li", { class: `alert ${a.severity}`, "data-code": a.code },
    el("strong", { text: `${SEVERITY[a.severity] || "Information"} : ` }), a.message));
  if (v.not_discharge) {
    items.unshift(el("li", { class: "alert high" }, el("strong", { text: "Important : " }),
      `la prescription hospitalière est une ${v.not_discharge}, pas une prescription de sortie.`));
  }
  $("#alerts").replaceChildren(...(items.length ? [el("h3", { text: "Points d'attention" }), el("ul", {}, items)] : []));
  $("#alerts").hidden = !items.length;
  const allergies = v.allergies || [];
  $("#allergies").replaceChildren(el("strong", { text: "Allergies et intolérances : " }),
    allergies.length
      ? allergies.map((a, i) => [i ? " ; " : "", a.text, el("span", { class: "muted", text: ` (selon : ${a.where})` })]).flat()
      : (v.no_allergy || "aucune allergie connue renseignée"));
}

function medCell(side, med, row) {
  if (!med) return el("td", { class: "absent" }, el("span", { text: "— absent" }));
  // the row's header is its drug: the usual treatment's line, or the hospital's for an added one
  const header = side === "before" || !row.before;
  const full = medication(side, med.id);
  const flags = [];
  if (full && full.needs_review) flags.push(el("span", { class: "flag", text: "à vérifier" }));
  if (full && full.link && full.link.chosen_by) flags.push(el("span", { class: "flag ok", text: "lien corrigé" }));
  const changed = new Set(row.changed);
  const posology = el("span", { class: "posology" }, med.posology);
  if (side === "after" && changed.size && !changed.has("substance")) posology.classList.add("changed");
  const doc = full && full.document ? ` du document ${full.document}` : "";
  return el(header ? "th" : "td", { class: "med", scope: header ? "row" : null },
    el("span", { class: "drug" }, med.name, ...flags),
    posology,
    el("button", {
      type: "button", class: "source-link", "data-side": side, "data-med": med.id,
      "aria-label": `Voir la source : ${med.name}, ${SIDE_FR[side].toLowerCase()}${med.page ? `, page ${med.page}` : ""}`,
      onclick: (e) => openSource(side, med.id, e.currentTarget),
    }, med.page ? `page ${med.page}${doc} · source et lien` : "source et lien"),
  );
}

function divergenceCell(row) {
  const cell = el("td", { class: "div" });
  if (row.divergence.length) {
    cell.append(el("ul", { class: "plain" }, row.divergence.map((d) => {
      const [label, ...rest] = d.split(" : ");
      return el("li", {}, el("mark", { text: label }), rest.length ? ` : ${rest.join(" : ")}` : "");
    })));
  }
  if (row.reason) cell.append(el("p", { class: "reason" }, el("strong", { text: "Motif écrit : " }), row.reason));
  else if (row.omission_note) cell.append(el("p", { class: "undoc omission", text: `Omission possible : ${row.omission_note}` }));
  else if (row.undocumented) cell.append(el("p", { class: "undoc", text: "Motif non écrit dans les documents" }));
  if (row.former) cell.append(el("p", { class: "note former", text: row.former }));
  if (row.note) cell.append(el("p", { class: "note", text: row.note }));
  if (row.needs_review && row.review.length) {
    cell.append(el("p", { class: "review" }, el("strong", { text: "À vérifier : " }), row.review.join(" ; ")));
  }
  if (!cell.childNodes.length) cell.append("—");
  return cell;
}

function qualificationCell(row, locked) {
  const cell = el("td", { class: "qual" });
  if (row.status === "unchanged") {
    cell.append(el("span", { class: "muted", text: "sans divergence" }));
    return cell;
  }
  const q = row.qualification;
  const id = `q-${row.id}`;
  const select = el("select", { id: `${id}-kind`, disabled: locked },
    el("option", { value: "", text: "— à qualifier —" }),
    QUALIFICATIONS.map(([v, t]) => el("option", { value: v, text: t, selected: q && q.code === v })));
  const errorType = el("select", { id: `${id}-error`, disabled: locked || !(q && q.code === "unintentional") },
    el("option", { value: "", text: "—" }),
    ERROR_TYPES.map(([v, t]) => el("option", { value: v, text: t, selected: q && q.error_code === v })));
  const comment = el("textarea", { id: `${id}-comment`, rows: 2, disabled: locked, maxlength: 2000 });
  comment.value = (q && q.comment) || "";
  select.addEventListener("change", () => { errorType.disabled = select.value !== "unintentional"; });
  const save = el("button", { type: "submit", class: "small", disabled: locked }, "Enregistrer");
  const form = el("form", { class: "qual-form", "aria-label": `Qualification de la ligne ${row.id}` },
    el("label", { for: select.id, text: "Divergence" }), select,
    el("label", { for: errorType.id, text: "Type d'erreur" }), errorType,
    el("label", { for: comment.id, text: "Commentaire" }), comment,
    save);
  form.addEventListener("submit", (e) => { e.preventDefault(); qualify(row, select, errorType, comment, save); });
  cell.append(form);
  if (q) cell.append(el("p", { class: "who", text: `Qualifiée par ${q.by}, ${q.at}` }));
  else cell.classList.add("pending");
  if (!q && row.stale) {
    cell.append(el("p", { class: "stale", text: `Qualification à revoir (${row.stale.why}) : elle était « ${row.stale.label} ».` }));
  }
  return cell;
}

function lineRow(row, locked) {
  const shown = row.omission ? "omission" : row.status;
  const status = STATUS[shown];
  return el("tr", {
    id: `ligne-${row.id}`, class: `st-${shown}`, "data-status": row.status, "data-line": row.id,
    "data-omission": row.omission ? "true" : null,
  },
    medCell("before", row.before, row),
    el("td", { class: "status" },
      el("span", { class: `badge st-${shown}` },
        el("span", { class: "icon", "aria-hidden": "true", text: status.icon }), ` ${status.word}`),
      row.changed.length ? el("span", { class: "fields" },
        `(${row.changed.map((f) => FIELD_FR[f] || f).join(", ")})`) : null),
    medCell("after", row.after, row),
    divergenceCell(row),
    qualificationCell(row, locked),
  );
}

async function qualify(row, select, errorType, comment, button) {
  showError("");
  const name = lineName(row.id);
  if (!select.value) {
    showError(`${name} : choisissez le type de divergence.`);
    select.focus();
    return;
  }
  if (select.value === "unintentional" && !errorType.value) {
    showError(`${name} : une divergence non intentionnelle demande son type d'erreur.`);
    errorType.focus();
    return;
  }
  if (select.value === "documented" && !row.reason && !comment.value.trim()) {
    showError(`${name} : aucun motif n'est écrit dans les documents ; indiquez en commentaire où la divergence est documentée.`);
    comment.focus();
    return;
  }
  const body = { qualification: select.value, comment: comment.value.trim() || null, pair: row.pair };
  if (select.value === "unintentional") body.error_type = errorType.value;
  button.disabled = true;
  try {
    await api(`/v1/reports/${state.id}/lines/${row.id}/qualification`, {
      method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    await refresh();
    say(`${name} : divergence qualifiée.`);
    // on to the next divergence still to qualify, or to the validation
    const next = document.querySelector("#lines tbody td.qual.pending select") || $("#validate");
    next.focus();
  } catch (error) {
    showError(explain(error));
    if (error instanceof ApiError && error.status === 409) await refresh();
  } finally {
    button.disabled = false;
  }
}

// -- the source panel and the link ---------------------------------------------------------------
function sourcePage(side, med) {
  const sides = state.report.context && state.report.context.sources;
  const docs = sides && sides[side];
  if (!docs || !docs.length) return null;
  const index = docs[(med.document || 1) - 1] ? med.document || 1 : 1;
  const doc = docs[index - 1];
  const page = doc.pages.find((p) => p.page === med.page) || doc.pages[0];
  return { doc, page, index };
}

let pageImageUrl = null;

async function showPageImage(side, med, found) {
  const box = $("#source-image");
  box.hidden = true;
  if (pageImageUrl) { URL.revokeObjectURL(pageImageUrl); pageImageUrl = null; }
  if (!found || !found.doc.media_type || found.doc.media_type === "text/plain" || !med.span) return;
  const opened = state.selected;
  try {
    const response = await api(`/v1/reports/${state.id}/documents/${side}/${found.index}/pages/${found.page.page}`);
    const ppp = Number(response.headers.get("X-Pixels-Per-Point") || "1");
    const blob = await response.blob();
    if (state.selected !== opened) return;  // another line was opened meanwhile
    pageImageUrl = URL.createObjectURL(blob);
    const img = $("#source-img");
    img.alt = `Page ${found.page.page} de ${found.doc.name}, la ligne encadrée`;
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = pageImageUrl; });
    const frame = $("#source-frame");
    frame.querySelectorAll(".hl").forEach((n) => n.remove());
    const [s, e] = med.span;
    const w = img.naturalWidth;
    const h = img.naturalHeight;
    let first = null;
    for (const [start, end, x0, top, x1, bottom] of found.page.boxes || []) {
      if (!(start < e && end >= s)) continue;
      const hl = el("div", { class: "hl" });
      hl.style.left = `${((x0 * ppp) / w) * 100 - 0.4}%`;
      hl.style.top = `${((top * ppp) / h) * 100 - 0.3}%`;
      hl.style.width = `${(((x1 - x0) * ppp) / w) * 100 + 0.8}%`;
      hl.style.height = `${(((bottom - top) * ppp) / h) * 100 + 0.6}%`;
      frame.append(hl);
      first = first || hl;
    }
    box.hidden = false;
    if (first) {
      box.scrollTop = Math.max(0, first.offsetTop - 60);
      box.scrollLeft = Math.max(0, first.offsetLeft - 20);
    }
  } catch (_) {
    box.hidden = true;  // the text view below still shows the line
  }
}

function openSource(side, medId, opener) {
  const med = medication(side, medId);
  if (!med) return;
  state.selected = { side, medId, opener };
  const panel = $("#source");
  panel.hidden = false;
  $("#source-title").textContent = `Source : ${med.drug_text}`;
  const found = sourcePage(side, med);
  const text = $("#source-text");
  text.replaceChildren();
  if (found) {
    $("#source-where").textContent = `${SIDE_FR[side]} — ${found.doc.name}, page ${found.page.page}`;
    const t = found.page.text;
    const [s, e] = med.span ? [med.span[0] - found.page.start, med.span[1] - found.page.start] : [-1, -1];
    if (s >= 0 && e <= t.length && e > s) {
      const mark = el("mark", { id: "source-mark", text: t.slice(s, e) });
      text.append(t.slice(0, s), mark, t.slice(e));
    } else {
      text.append(t);
    }
  } else {
    $("#source-where").textContent = `${SIDE_FR[side]}${med.page ? `, page ${med.page}` : ""} — ligne telle qu'écrite :`;
    text.append(el("mark", { id: "source-mark", text: med.text }));
  }
  renderLink(med);
  const mark = $("#source-mark");
  if (mark) mark.scrollIntoView({ block: "center" });
  panel.focus();
  showPageImage(side, med, found);
}

function closeSource() {
  $("#source").hidden = true;
  const sel = state.selected;
  state.selected = null;
  if (!sel) return;
  // the table may have been drawn again since (a corrected link): the same medication's button
  const opener = document.body.contains(sel.opener) ? sel.opener
    : document.querySelector(`.source-link[data-side="${sel.side}"][data-med="${sel.medId}"]`);
  if (opener) opener.focus();
}

function candidateOption(c, name) {
  const id = `${name}-${c.name}-${c.atc || "x"}`.replace(/[^A-Za-z0-9_-]/g, "_");
  const subs = c.substances && c.substances.length ? c.substances.join(" + ") : "substance inconnue";
  return el("div", { class: "cand" },
    el("input", { type: "radio", name: "drug-choice", id, value: JSON.stringify({ name: c.name, atc: c.atc }) }),
    el("label", { for: id }, el("strong", { text: c.name }), ` — ${subs}${c.atc ? ` (ATC ${c.atc})` : ""}`,
      c.score !== undefined ? el("span", { class: "muted", text: ` score ${Number(c.score).toFixed(2)}` }) : null));
}

function renderLink(med) {
  const link = med.link || { method: "none", candidates: [] };
  const subs = med.substances.map((s) => s.name).join(" + ") || "aucune substance reconnue";
  const method = { exact: "nom exact", fuzzy: "nom approché", model: "modèle", none: "non reconnu" }[link.method];
  $("#link-current").replaceChildren(
    el("strong", { text: subs }), med.atc ? ` (ATC ${med.atc})` : "",
    el("span", { class: "muted", text: ` — ${method}, score ${Number(link.score).toFixed(2)}` }),
    link.chosen_by ? el("span", { class: "flag ok", text: `choisi par ${who(link.chosen_by)}` }) : null,
  );
  const cands = link.candidates || [];
  $("#candidates").replaceChildren(cands.length
    ? el("p", { class: "muted", text: "Candidats proposés :" }) : el("p", { class: "muted", text: "Aucun candidat." }),
    ...cands.map((c) => candidateOption(c, "cand")));
  $("#search-results").replaceChildren();
  $("#drug-search").value = "";
  const locked = Boolean(state.review.validation);
  for (const node of $("#link-form").querySelectorAll("input, button")) node.disabled = locked;
}

async function searchDrugs() {
  const q = $("#drug-search").value.trim();
  if (!q) return;
  try {
    const found = await (await api(`/v1/drugs?q=${encodeURIComponent(q)}&limit=8`)).json();
    $("#search-results").replaceChildren(found.results.length
      ? el("p", { class: "muted", text: `${found.results.length} résultat(s) :` })
      : el("p", { class: "muted", text: "Aucun résultat." }),
    ...found.results.map((c) => candidateOption(c, "hit")));
  } catch (error) {
    showError(explain(error));
  }
}

async function relink(event) {
  event.preventDefault();
  showError("");
  const picked = document.querySelector('input[name="drug-choice"]:checked');
  if (!picked || !state.selected) {
    showError("Choisissez un médicament parmi les candidats ou les résultats de recherche.");
    return;
  }
  const choice = JSON.parse(picked.value);
  const { side, medId } = state.selected;
  try {
    const report = await (await api(`/v1/reports/${state.id}/links`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ side, medication: medId, name: choice.name, atc: choice.atc }),
    })).json();
    state.report = report;
    await refresh();
    const stale = state.review.stale.length;
    say(`Lien corrigé : ${choice.name}. La conciliation a été recalculée.`
      + (stale ? ` ${stale} qualification(s) à revoir.` : ""));
    const med = medication(side, medId);
    if (med) renderLink(med);
    $("#source").focus();
  } catch (error) {
    showError(explain(error));
  }
}

// -- validation, downloads, history --------------------------------------------------------------
function renderValidation() {
  const v = state.review.validation;
  const box = $("#validation-state");
  if (v) {
    box.textContent = `Conciliation validée par ${who(v.by)} le ${when(v.at)}.`;
    box.className = "validation-state done";
  } else if (state.review.pending.length) {
    box.textContent = `${state.review.pending.length} divergence(s) restent à qualifier avant la validation.`;
    box.className = "validation-state";
  } else {
    box.textContent = "Toutes les divergences sont qualifiées : la conciliation peut être validée.";
    box.className = "validation-state ready";
  }
  $("#validate").disabled = Boolean(v);
  $("#reopen").hidden = !v;
}

async function reopen(event) {
  event.preventDefault();
  showError("");
  const reason = $("#reopen-reason").value.trim();
  if (reason.length < 3) {
    showError("Indiquez le motif de la réouverture.");
    $("#reopen-reason").focus();
    return;
  }
  try {
    await api(`/v1/reports/${state.id}/reopening`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ reason }),
    });
    $("#reopen-reason").value = "";
    await refresh();
    say("Conciliation rouverte : les qualifications peuvent être modifiées.");
    $("#validation-state").focus();
  } catch (error) {
    showError(explain(error));
  }
}

function renderHistory() {
  const kinds = { qualify: "qualification", relink: "correction de lien", validate: "validation", reopen: "réouverture" };
  const quals = Object.fromEntries(QUALIFICATIONS);
  $("#history-list").replaceChildren(...state.review.history.map((d) => {
    let what = "";
    if (d.kind === "qualify") what = ` : ${pairName(d.target)} — ${quals[d.payload.qualification] || ""}`;
    if (d.kind === "reopen") what = ` : ${d.payload.reason}`;
    if (d.kind === "relink") {
      what = ` : ${drugOf(d.payload.side, d.payload.medication) || ""} ${d.payload.previous ? `(${d.payload.previous}) ` : ""}→ ${d.payload.name}`;
    }
    return el("li", {}, `${when(d.at)} — ${who(d.by)} — ${kinds[d.kind] || d.kind}${what}`);
  }));
}

function askValidation() {
  showError("");
  if (state.review.pending.length) {
    const names = state.review.pending.map(lineName).join(", ");
    showError(`Avant de valider, qualifiez ${state.review.pending.length} divergence(s) : ${names}.`);
    const target = document.querySelector("#lines tbody td.qual.pending select");
    if (target) target.focus();
    return;
  }
  const unsure = state.view.rows.filter((r) => r.needs_review).map((r) => (r.after || r.before || {}).name);
  $("#confirm-text").textContent = "La validation est définitive : les qualifications ne pourront plus être modifiées."
    + (unsure.length ? ` Lignes signalées « à vérifier » : ${unsure.join(", ")}.` : "");
  $("#confirm").hidden = false;
  $("#confirm-yes").focus();
}

async function validate() {
  showError("");
  $("#confirm").hidden = true;
  try {
    await api(`/v1/reports/${state.id}/validation`, { method: "POST" });
    await refresh();
    say("Conciliation validée.");
    $("#validation-state").focus();
  } catch (error) {
    showError(explain(error));
    const first = state.review.pending[0];
    if (first) {
      const target = document.querySelector(`#ligne-${first} select`);
      if (target) target.focus();
    }
  }
}

async function download(path, options, filename) {
  showError("");
  try {
    const blob = await (await api(path, options)).blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    say(`${filename} téléchargé.`);
  } catch (error) {
    showError(explain(error));
  }
}

function stay() {
  const v = (id) => $(id).value.trim() || null;
  const doctor = (id) => (v(id) ? { name: v(id) } : null);
  const out = {
    patient: { name: v("#stay-patient"), birth_date: v("#stay-birth"), sex: v("#stay-sex") },
    hospital: v("#stay-hospital"), service: v("#stay-service"), admission_date: v("#stay-admission"),
    discharge_date: v("#stay-discharge"), reason: v("#stay-reason"), gp: doctor("#stay-gp"),
    hospital_doctor: doctor("#stay-doctor"),
  };
  const filled = Object.values(out.patient).some(Boolean)
    || Object.entries(out).some(([k, x]) => k !== "patient" && x);
  return filled ? out : null;
}

function letter(accept, filename) {
  const body = { report_id: state.id };
  const s = stay();
  if (s) body.stay = s;
  return download("/v1/letters", {
    method: "POST", headers: { "Content-Type": "application/json", Accept: accept }, body: JSON.stringify(body),
  }, filename);
}

async function deleteReport() {
  showError("");
  $("#delete-confirm").hidden = true;
  try {
    await api(`/v1/reports/${state.id}`, { method: "DELETE" });
    history.replaceState(null, "", location.pathname);
    state.id = null;
    $("#result").hidden = true;
    $("#upload").hidden = false;
    $("#new-report").hidden = true;
    say("Conciliation supprimée du serveur.");
    loadRecent();
    $("#main").focus();
  } catch (error) {
    showError(explain(error));
  }
}

// -- start -------------------------------------------------------------------------------------
function start() {
  setupDrop($("#drop-before"), $("#before"));
  setupDrop($("#drop-after"), $("#after"));
  setupDrop($("#drop-during"), $("#during"));
  $("#upload-form").addEventListener("submit", runReconciliation);
  $("#auth").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem("recon-api-key", $("#api-key").value.trim());
    $("#auth").hidden = true;
    showError("");
    say("Clé enregistrée pour cet onglet : vous pouvez reprendre.");
    if (state.id !== null) load(state.id).catch((error) => showError(explain(error)));
    else if (location.hash.startsWith("#rapport=")) boot();
  });
  $("#close-source").addEventListener("click", closeSource);
  $("#source").addEventListener("keydown", (e) => { if (e.key === "Escape") closeSource(); });
  $("#link-form").addEventListener("submit", relink);
  $("#drug-search-go").addEventListener("click", searchDrugs);
  $("#drug-search").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); searchDrugs(); } });
  $("#validate").addEventListener("click", askValidation);
  $("#reopen").addEventListener("submit", reopen);
  $("#delete").addEventListener("click", () => { $("#delete-confirm").hidden = false; $("#delete-no").focus(); });
  $("#delete-no").addEventListener("click", () => { $("#delete-confirm").hidden = true; $("#delete").focus(); });
  $("#delete-yes").addEventListener("click", deleteReport);
  $("#confirm-yes").addEventListener("click", validate);
  $("#confirm-no").addEventListener("click", () => { $("#confirm").hidden = true; $("#validate").focus(); });
  $("#dl-fiche").addEventListener("click", () => download(`/v1/reports/${state.id}/fiche`, {}, "fiche-de-conciliation.html"));
  const draft = () => (state.review && state.review.validation ? "" : "-brouillon");
  $("#dl-letter").addEventListener("click", () => letter("application/pdf", `lettre-de-liaison${draft()}.pdf`));
  $("#dl-letter-html").addEventListener("click", () => letter("text/html", `lettre-de-liaison${draft()}.html`));
  window.addEventListener("hashchange", () => { if (location.hash.startsWith("#rapport=")) boot(); });
  $("#new-report").addEventListener("click", () => {
    history.replaceState(null, "", location.pathname);
    location.reload();
  });
  boot();
}

async function loadRecent() {
  try {
    const found = await (await api("/v1/reports?limit=15")).json();
    $("#recent-list").replaceChildren(...found.reports.map((r) => el("li", {},
      el("a", { href: `#rapport=${r.id}` }, `${when(r.created_at)} — ${r.before} → ${r.after}`),
      ` — ${r.lines} ligne(s), ${r.divergences} divergence(s) — `,
      el("span", { class: r.validated ? "done" : "", text: r.validated ? "validée" : "à valider" }))));
    $("#recent").hidden = !found.reports.length;
  } catch (_) {
    // nothing stored yet, or a key to give first: the list stays hidden
  }
}

async function boot() {
  const m = location.hash.match(/^#rapport=([0-9a-f]{32})$/);
  if (!m) {
    loadRecent();
    return;
  }
  say("Chargement de la conciliation…");
  try {
    await load(m[1]);
  } catch (error) {
    say("");
    showError(explain(error));
  }
}

document.addEventListener("DOMContentLoaded", start);
