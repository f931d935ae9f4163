// The reportqa chat page: streams answers from POST /chat/stream, shows citations as chips,
// opens the cited letter with the quoted span highlighted. Plain JavaScript, no build step.
"use strict";

const KEY_STORAGE = "reportqa.apiKey";

const state = {
  conversationId: null,
  key: sessionStorage.getItem(KEY_STORAGE) || "",
  authRequired: false,
  busy: false,
  letters: new Map(),      // document_id -> GET /documents/{id} body
  lastChip: null,          // where focus returns when the letter panel closes
};

const $ = (id) => document.getElementById(id);

function escapeHtml(text) {
  return String(text)
    .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

function humanDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (!match) return iso || "";
  return `${Number(match[3])} ${MONTHS[Number(match[2]) - 1]} ${match[1]}`;
}

function setStatus(text) { $("status").textContent = text || ""; }

class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `request failed (HTTP ${status})`);
    this.status = status;
    this.code = error.code;
  }
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (state.key) headers["Authorization"] = `Bearer ${state.key}`;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const error = new ApiError(response.status, body);
    if (response.status === 401) openKeyDialog(error.message);
    throw error;
  }
  return response;
}

// ---- API key -------------------------------------------------------------------------------

function openKeyDialog(message) {
  const dialog = $("key-dialog");
  if (message) $("key-message").textContent = message;
  $("key-input").value = state.key;
  if (!dialog.open) dialog.showModal();
  $("key-input").focus();
}

function setupKeyDialog() {
  const dialog = $("key-dialog");
  $("key-button").addEventListener("click", () => openKeyDialog());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "save") {
      state.key = $("key-input").value.trim();
      if (state.key) sessionStorage.setItem(KEY_STORAGE, state.key);
      else sessionStorage.removeItem(KEY_STORAGE);
      loadFilters();
    }
    $("question").focus();
  });
}

// ---- filters ---------------------------------------------------------------------------------

async function loadFilters() {
  let documents;
  try {
    documents = await (await api("/documents")).json();
  } catch (error) {
    setStatus(`Could not load the list of letters: ${error.message}`);
    return;
  }
  const councils = [...new Set(documents.documents.map((d) => d.authority).filter(Boolean))].sort();
  const years = [...new Set(documents.documents.map((d) => d.year).filter(Boolean))].sort();
  fillSelect($("filter-council"), councils, "All councils");
  fillSelect($("filter-year"), years, "All years");
  setStatus(documents.count ? `${documents.count} letters loaded.` : "No letters stored yet.");
}

function fillSelect(select, values, allLabel) {
  const current = select.value;
  select.innerHTML = "";
  select.append(new Option(allLabel, ""));
  for (const value of values) select.append(new Option(String(value), String(value)));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

function currentFilters() {
  const authority = $("filter-council").value;
  const year = $("filter-year").value;
  if (!authority && !year) return null;
  const filters = {};
  if (authority) filters.authority = authority;
  if (year) filters.year = Number(year);
  return filters;
}

// ---- messages --------------------------------------------------------------------------------

function appendMessage(kind) {
  const empty = $("empty-state");
  if (empty) empty.remove();
  const node = document.createElement("article");
  node.className = `message ${kind}`;
  $("log").append(node);
  return node;
}

function appendUser(text) {
  const node = appendMessage("user");
  node.setAttribute("aria-label", "Your question");
  node.textContent = text;
  node.scrollIntoView({ block: "end" });
}

function renderAnswerText(container, text, citations) {
  const byMarker = new Map((citations || []).map((c) => [c.marker, c]));
  const html = escapeHtml(text).replace(/\[(\d+)\]/g, (whole, digits) => {
    const marker = Number(digits);
    const citation = byMarker.get(marker);
    if (!citation) return whole;
    return chipHtml(citation);
  });
  container.innerHTML = html;
}

function chipHtml(citation) {
  const label = `Citation ${citation.marker}: ${citationLabel(citation)}. Open the letter`;
  return `<button type="button" class="chip" data-marker="${citation.marker}" ` +
    `aria-label="${escapeHtml(label)}">${citation.marker}</button>`;
}

// The server's label ("Council · letter of DATE · Section"), the same in every front door.
function citationLabel(c) {
  if (c.label) return c.label;
  const when = c.letter_date ? `letter of ${humanDate(c.letter_date)}` : "";
  return [c.authority || c.source, when, c.section].filter(Boolean).join(" · ");
}

function renderSources(bubble, citations) {
  if (!citations.length) return;
  const list = document.createElement("ol");
  list.className = "sources";
  list.setAttribute("aria-label", "Sources");
  for (const c of citations) {
    const item = document.createElement("li");
    // The cited span, for whoever reads the page (tests, scripts): letter id and characters.
    item.dataset.documentId = c.document_id;
    item.dataset.source = c.source;
    item.dataset.start = String(c.char_start);
    item.dataset.end = String(c.char_end);
    item.innerHTML = chipHtml(c) + `<span class="source-label">${escapeHtml(citationLabel(c))}</span>`;
    if (c.theme_names && c.theme_names.length) {
      // what the cited finding is about (the theme taxonomy, GET /themes)
      item.dataset.themes = (c.themes || []).join(" ");
      item.insertAdjacentHTML("beforeend", ` <span class="source-themes">` +
        c.theme_names.map((n) => `<span class="theme">${escapeHtml(n)}</span>`).join("") +
        `</span>`);
    }
    list.append(item);
  }
  bubble.append(list);
}

function attachChips(bubble, citations) {
  const byMarker = new Map(citations.map((c) => [c.marker, c]));
  for (const chip of bubble.querySelectorAll(".chip")) {
    const citation = byMarker.get(Number(chip.dataset.marker));
    chip.addEventListener("click", () => openLetter(citation, chip));
  }
}

function renderFeedback(bubble, answer) {
  const box = document.createElement("div");
  box.className = "feedback";
  box.innerHTML = `<span>Was this useful?</span>` +
    `<button type="button" data-rating="up" aria-label="Good answer" aria-pressed="false">` +
    `<span aria-hidden="true">👍</span> Yes</button>` +
    `<button type="button" data-rating="down" aria-label="Bad answer" aria-pressed="false">` +
    `<span aria-hidden="true">👎</span> No</button>` +
    `<span class="feedback-note" aria-live="polite"></span>`;
  const note = box.querySelector(".feedback-note");
  for (const button of box.querySelectorAll("button")) {
    button.addEventListener("click", async () => {
      const body = { answer_id: answer.answer_id, conversation_id: answer.conversation_id,
                     rating: button.dataset.rating };
      try {
        await api("/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify(body) });
        for (const other of box.querySelectorAll("button")) {
          other.setAttribute("aria-pressed", String(other === button));
        }
        note.textContent = "Thanks for the feedback.";
      } catch (error) {
        note.textContent = `Feedback not saved: ${error.message}`;
      }
    });
  }
  bubble.append(box);
}

function finishAnswer(bubble, textNode, answer) {
  bubble.classList.remove("streaming");
  bubble.removeAttribute("aria-busy");
  if (answer.abstained) {
    bubble.classList.add("abstained");
    const badge = document.createElement("div");
    badge.className = "not-found";
    badge.textContent = "Not found in the letters";
    bubble.prepend(badge);
  }
  renderAnswerText(textNode, answer.answer, answer.citations);
  renderSources(bubble, answer.citations);
  attachChips(bubble, answer.citations);
  renderFeedback(bubble, answer);
}

function failAnswer(bubble, textNode, message) {
  bubble.classList.remove("streaming");
  bubble.classList.add("error");
  bubble.removeAttribute("aria-busy");
  bubble.dataset.failed = "true";
  textNode.textContent = `Sorry, that failed: ${message}`;
}

// ---- streaming -------------------------------------------------------------------------------

function parseEvent(raw) {
  let event = "message";
  const data = [];
  for (const line of raw.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  let payload = null;
  try { payload = data.length ? JSON.parse(data.join("\n")) : null; } catch (_) { payload = null; }
  return { event, payload };
}

async function ask(question) {
  if (state.busy) return;
  state.busy = true;
  $("send").disabled = true;
  appendUser(question);
  const bubble = appendMessage("answer streaming");
  bubble.setAttribute("aria-busy", "true");
  bubble.setAttribute("aria-label", "Answer");
  const textNode = document.createElement("div");
  textNode.className = "answer-text";
  bubble.append(textNode);
  setStatus("Searching the letters…");

  const body = { message: question };
  if (state.conversationId) body.conversation_id = state.conversationId;
  const filters = currentFilters();
  if (filters) body.filters = filters;

  let text = "";
  let finished = false;
  try {
    const response = await api("/chat/stream", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let split;
      while ((split = buffer.indexOf("\n\n")) >= 0) {
        const { event, payload } = parseEvent(buffer.slice(0, split));
        buffer = buffer.slice(split + 2);
        if (event === "token" && payload) {
          text += payload.text;
          textNode.textContent = text;
        } else if (event === "reset") {
          // The verified answer differs from the text streamed so far: discard it.
          text = "";
          textNode.textContent = "";
          bubble.dataset.resets = String(Number(bubble.dataset.resets || 0) + 1);
        } else if (event === "answer" && payload) {
          state.conversationId = payload.conversation_id;
          finishAnswer(bubble, textNode, payload);
          finished = true;
          setStatus(payload.abstained ? "The letters do not answer that." : "Answer ready.");
        } else if (event === "error") {
          throw new Error((payload && payload.error && payload.error.message) || "stream failed");
        }
      }
      bubble.scrollIntoView({ block: "end" });
    }
    if (!finished) throw new Error("the answer stopped before it was complete; try again");
  } catch (error) {
    failAnswer(bubble, textNode, error.message);
    setStatus("");
  } finally {
    state.busy = false;
    $("send").disabled = false;
    // Set last, so whoever waits for it (tests, assistive tech) can ask the next question.
    bubble.dataset.state = bubble.dataset.failed ? "error" : "done";
    bubble.scrollIntoView({ block: "end" });
    $("question").focus();
  }
}

// ---- the letter panel ------------------------------------------------------------------------

async function fetchLetter(documentId) {
  if (!state.letters.has(documentId)) {
    const body = await (await api(`/documents/${encodeURIComponent(documentId)}`)).json();
    state.letters.set(documentId, body);
  }
  return state.letters.get(documentId);
}

async function openLetter(citation, chip) {
  const panel = $("letter-panel");
  document.querySelectorAll(".chip.active").forEach((c) => c.classList.remove("active"));
  if (chip) { chip.classList.add("active"); state.lastChip = chip; }
  panel.hidden = false;
  $("panel-title").textContent = "Loading the letter…";
  $("panel-meta").textContent = "";
  $("panel-text").textContent = "";
  $("panel-warning").hidden = true;
  let letter;
  try {
    letter = await fetchLetter(citation.document_id);
  } catch (error) {
    $("panel-title").textContent = "Letter unavailable";
    $("panel-text").textContent = error.message;
    $("panel-title").focus();
    return;
  }
  showLetter(letter, citation.char_start, citation.char_end, citation);
}

function showLetter(letter, start, end, citation) {
  const text = letter.text || "";
  $("panel-title").textContent = letter.authority || letter.source;
  $("panel-meta").textContent = [letter.source,
    letter.letter_date && `letter of ${humanDate(letter.letter_date)}`,
    citation && citation.section].filter(Boolean).join(" · ");
  const container = $("panel-text");
  const hasSpan = Number.isInteger(start) && Number.isInteger(end) && start >= 0 &&
    end <= text.length && start < end;
  if (!hasSpan) {
    container.textContent = text;
  } else {
    container.innerHTML = escapeHtml(text.slice(0, start)) +
      `<mark id="quote">${escapeHtml(text.slice(start, end))}</mark>` + escapeHtml(text.slice(end));
    if (citation && citation.quote && text.slice(start, end) !== citation.quote) {
      $("panel-warning").textContent = "The letter has changed since this answer; the highlight may be off.";
      $("panel-warning").hidden = false;
    }
  }
  $("panel-title").focus();
  const mark = container.querySelector("mark");
  if (mark) mark.scrollIntoView({ block: "center" });
}

function closeLetter() {
  $("letter-panel").hidden = true;
  document.querySelectorAll(".chip.active").forEach((c) => c.classList.remove("active"));
  if (state.lastChip && document.body.contains(state.lastChip)) state.lastChip.focus();
  else $("question").focus();
  if (location.hash.startsWith("#letter=")) history.replaceState(null, "", location.pathname);
}

async function openFromHash() {
  // Links such as /#letter=ID&start=10&end=50 (OpenAI-compatible answers, Slack) open a letter.
  if (!location.hash.startsWith("#letter=")) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const documentId = params.get("letter");
  const start = Number(params.get("start"));
  const end = Number(params.get("end"));
  try {
    const letter = await fetchLetter(documentId);
    $("letter-panel").hidden = false;
    showLetter(letter, start, end, null);
  } catch (error) {
    setStatus(`Could not open the linked letter: ${error.message}`);
  }
}

// ---- wiring ----------------------------------------------------------------------------------

function newConversation() {
  state.conversationId = null;
  $("log").innerHTML = "";
  closeLetter();
  setStatus("New conversation started.");
  $("question").value = "";
  $("question").focus();
}

function submitQuestion() {
  const question = $("question").value.trim();
  if (!question || state.busy) return;
  $("question").value = "";
  ask(question);
}

async function init() {
  setupKeyDialog();
  $("composer").addEventListener("submit", (event) => { event.preventDefault(); submitQuestion(); });
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitQuestion();
    }
  });
  $("new-conversation").addEventListener("click", newConversation);
  $("panel-close").addEventListener("click", closeLetter);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("letter-panel").hidden && !$("key-dialog").open) closeLetter();
  });
  for (const example of document.querySelectorAll(".example")) {
    example.addEventListener("click", () => { $("question").value = example.textContent; submitQuestion(); });
  }
  try {
    const info = await (await fetch("/info")).json();
    state.authRequired = Boolean(info.auth_required);
  } catch (_) {
    state.authRequired = false;
  }
  $("key-button").hidden = !state.authRequired;
  if (state.authRequired && !state.key) {
    openKeyDialog();
  } else {
    await loadFilters();
    await openFromHash();
  }
  if (!$("key-dialog").open) $("question").focus();
}

window.addEventListener("hashchange", openFromHash);
document.addEventListener("DOMContentLoaded", init);
