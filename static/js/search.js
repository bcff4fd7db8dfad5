// pidsite search page: Pagefind's JavaScript API (pagefind/pagefind.js,
// written by the build) over the whole site, loading only the index chunks
// a query needs. Results are plain links; facets are checkboxes; everything
// is reachable with the keyboard. Withdrawn PIDs are left out unless the
// visitor ticks the "withdrawn" status. Every word shown comes from the
// page (its hidden .facet-labels list, in the site's language).
const root = document.querySelector("[data-search]");
if (root) {
  const form = root.querySelector(".search-form");
  const input = form.querySelector("input");
  const facetsBox = root.querySelector(".search-facets");
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".results");
  const more = root.querySelector(".search-more");
  const label = (sel, key) => {
    const el = root.querySelector(".facet-labels [" + sel + '="' + key + '"]');
    return el ? el.textContent : key;
  };
  // "12 results" in the page's language: the page gives the text for a
  // few counts, one of each plural category its language has; a count is
  // written as the one of its category.
  const plural = new Intl.PluralRules(document.documentElement.lang || "en");
  const samples = [...root.querySelectorAll(".facet-labels [data-count]")];
  const counted = (n) => {
    const sample = samples.find((s) => plural.select(Number(s.dataset.count)) === plural.select(n)) || samples[samples.length - 1];
    return sample.textContent.replace(sample.dataset.count, String(n));
  };
  const withdrawn = label("data-text", "withdrawn");
  const order = ["type", "collection", "decade", "provider", "rights", "language", "scheme", "status"];
  const selected = {};
  let results = [];
  let shown = 0;
  let run = 0;
  form.hidden = false;
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";

  const pagefind = await import(root.dataset.bundle + "pagefind.js");
  await pagefind.options({ baseUrl: "/" });
  // Load every facet's chunk once: a search reports counts only for the
  // facets whose chunks are loaded.
  // The status counts stay the whole site's: "withdrawn" must stay
  // offered while withdrawn PIDs are hidden.
  const totals = (await pagefind.filters()) || {};

  function filters() {
    const out = {};
    for (const [name, values] of Object.entries(selected)) {
      if (values.size) out[name] = { any: [...values] };
    }
    if (!selected.status || !selected.status.size) out.status = { none: [withdrawn] };
    return out;
  }

  function drawFacets(counts) {
    facetsBox.replaceChildren();
    for (const name of order) {
      const values = name === "status" ? totals.status : counts[name];
      if (!values || !Object.keys(values).length) continue;
      const set = fieldset(name, values);
      if (set) facetsBox.append(set);
    }
    facetsBox.hidden = !facetsBox.children.length;
  }

  function fieldset(name, values) {
    const set = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.textContent = label("data-facet", name);
    set.append(legend);
    const keys = Object.keys(values).sort();
    for (const value of keys) {
      const chosen = selected[name] && selected[name].has(value);
      if (!values[value] && !chosen) continue;
      const id = "f-" + name + "-" + keys.indexOf(value);
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.checked = !!chosen;
      box.addEventListener("change", () => {
        selected[name] = selected[name] || new Set();
        if (box.checked) selected[name].add(value); else selected[name].delete(value);
        search(id);
      });
      const lab = document.createElement("label");
      lab.htmlFor = id;
      lab.textContent = value + " (" + values[value] + ")";
      const row = document.createElement("div");
      row.append(box, lab);
      set.append(row);
    }
    return set.children.length > 1 ? set : null;
  }

  // The next page of results as list items; null when a newer search
  // began meanwhile, so that an old search never adds to a new list.
  async function nextItems(mine) {
    const page = results.slice(shown, shown + 20);
    const data = await Promise.all(page.map((r) => r.data()));
    if (mine !== run) return null;
    shown += page.length;
    more.hidden = shown >= results.length;
    return data.map(item);
  }

  async function showMore() {
    const items = await nextItems(run);
    if (items) list.append(...items);
  }

  function item(d) {
    const li = document.createElement("li");
    li.className = "result";
    if (d.meta.image) {
      const img = document.createElement("img");
      img.src = d.meta.image;
      img.alt = "";
      img.loading = "lazy";
      img.width = 96;
      img.height = 64;
      li.append(img);
    }
    const body = document.createElement("div");
    const a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.meta.title || d.url;
    const meta = document.createElement("p");
    meta.className = "card-meta";
    const code = document.createElement("code");
    code.textContent = d.meta.pid || "";
    meta.append(code, " · " + (d.meta.type || ""));
    const excerpt = document.createElement("p");
    excerpt.className = "small";
    // Pagefind's excerpt marks matches with <mark>; take the text only.
    excerpt.textContent = (d.excerpt || "").replace(/<[^>]*>/g, "");
    body.append(a, meta, excerpt);
    li.append(body);
    return li;
  }

  async function search(focusId) {
    const mine = ++run;
    const q = input.value.trim();
    status.textContent = label("data-text", "loading");
    const found = await pagefind.search(q || null, { filters: filters(), sort: q ? undefined : { year: "asc" } });
    if (mine !== run || !found) return;
    results = found.results;
    shown = 0;
    const items = await nextItems(mine);
    if (!items) return;
    // The list, facets and count change together: a count is never shown
    // (or announced) beside the previous search's results.
    list.replaceChildren(...items);
    drawFacets(found.filters);
    const n = results.length;
    status.textContent = n ? counted(n) : label("data-text", "none");
    const url = new URL(location.href);
    if (q) url.searchParams.set("q", q); else url.searchParams.delete("q");
    history.replaceState(null, "", url);
    if (focusId) {
      const box = document.getElementById(focusId);
      if (box) box.focus();
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
  let timer;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  more.addEventListener("click", showMore);
  // An empty query lists every PID (oldest first), for the facets to narrow.
  search();
}
