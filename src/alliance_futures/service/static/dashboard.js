// The alliance-futures dashboard: every number comes from the service's API (documented at /docs).


const page = document.getElementById("page");
const SHOW_FINISHED_MS = 800; // the full progress bar stays in view this long before the results open
const percent = (p) => (p == null ? "–" : `${(100 * p).toFixed(1)}%`);
const number = (x, digits = 3) => (x == null ? "–" : Number(x).toPrecision(digits));

// h("p", {class: "x"}, "text", child): an element with attributes (on* as listeners) and children (text is escaped)
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child != null) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function call(path, options = {}) {
  const response = await fetch(path, { headers: { "Content-Type": "application/json" }, ...options });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw Object.assign(new Error(explain(body)), { status: response.status, body });
  return body;
}

// FastAPI's 422 detail: [{loc, msg}] → "field: reason" lines
function explain(body) {
  if (Array.isArray(body?.detail)) {
    return body.detail.map((d) => `${d.loc.filter((p) => p !== "body").join(".")}: ${d.msg}`).join("\n");
  }
  return body?.detail ?? String(body);
}

function table(columns, rows, onclick) {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.label)))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          onclick ? { class: "clickable", tabindex: 0, onclick: () => onclick(row) } : {},
          columns.map((c) => h("td", c.title ? { title: c.title(row) } : {}, c.value(row))),
        ),
      ),
    ),
  );
}

function chart(spec) {
  const el = h("div", { class: "chart" });
  vegaEmbed(el, spec, { actions: false, tooltip: true }).catch((e) => el.append(h("p", { class: "error" }, e.message)));
  return el;
}

const section = (title, ...children) => h("section", { id: title.toLowerCase().replaceAll(" ", "-") }, h("h2", {}, title), children);

// --- New run ------------------------------------------------------------------------------------------------------

async function newRun() {
  const [packages, parameters] = await Promise.all([call("/api/packages"), call("/api/cases/us_rok/parameters")]);
  const chosen = new Set(packages.map((p) => p.name));
  const overrides = {};
  const sizes = { futures: 2000, replications: 10, years: 20, seed: 1953 };

  const packageList = packages.map((p) =>
    h(
      "label",
      { class: "package" },
      h("input", { type: "checkbox", name: p.name, checked: true, onchange: (e) => (e.target.checked ? chosen.add(p.name) : chosen.delete(p.name)) }),
      h("b", {}, p.title),
      h("span", { class: "meaning" }, p.description),
      h("span", { class: "source" }, `Source: ${p.source}`),
    ),
  );
  const size = (key, label, min, max) =>
    h("label", {}, label, h("input", { type: "number", name: key, value: sizes[key], min, max, onchange: (e) => (sizes[key] = Number(e.target.value)) }));

  const groups = {};
  for (const p of parameters) (groups[p.name.split(".")[0]] ??= []).push(p);
  const sliders = Object.entries(groups).map(([group, members]) =>
    h("details", {}, h("summary", {}, `${group} (${members.length})`), members.map((p) => slider(p, overrides))),
  );
  const message = h("pre", { class: "error", id: "run-error" });
  const progress = h("div", { id: "run-progress", hidden: true });

  async function start() {
    message.textContent = "";
    const body = { ...sizes, packages: [...chosen], overrides };
    try {
      const run = await call("/api/runs", { method: "POST", body: JSON.stringify(body) });
      follow(run, progress, message);
    } catch (e) {
      message.textContent = e.message;
    }
  }

  page.replaceChildren(
    h("h1", {}, "New run"),
    section("Policy packages", h("div", { class: "packages" }, packageList)),
    section("Ensemble", h("div", { class: "sizes" }, size("futures", "futures per package", 1, 100000), size("replications", "futures per parameter vector", 1, 10000), size("years", "years", 1, 200), size("seed", "seed", 0))),
    section(
      "Assumptions",
      h("p", {}, "Each parameter is sampled over its range in every future unless you move its slider, which fixes it at that value (inside the range the model allows)."),
      sliders,
    ),
    h("button", { id: "start", onclick: start }, "Run"),
    progress,
    message,
  );
}

function slider(p, overrides) {
  const [lo, hi] = p.allowed;
  // a structural switch moves between its forms (0, 1 …), named as the case names them
  const forms = p.choices ? Object.keys(p.choices) : null;
  const say = (v) => (forms ? forms[v] : number(v));
  const initial = forms ? 0 : p.value ?? (p.range[0] + p.range[1]) / 2;
  const usual = forms
    ? (p.range ? `drawn from ${forms.join(" or ")}` : `fixed at ${forms[p.value]}`)
    : p.range ? `sampled from ${number(p.range[0])} to ${number(p.range[1])}` : `fixed at ${number(p.value)}`;
  const shown = h("output", {}, usual);
  const input = h("input", {
    type: "range",
    name: p.name,
    min: lo,
    max: hi,
    step: forms ? 1 : (hi - lo) / 1000,
    value: initial,
    "aria-label": p.name,
    oninput: (e) => {
      overrides[p.name] = Number(e.target.value);
      shown.textContent = `set to ${say(overrides[p.name])} (usually ${usual})`;
      row.classList.add("changed");
    },
  });
  const reset = h("button", {
    class: "reset",
    type: "button",
    onclick: () => {
      delete overrides[p.name];
      input.value = initial;
      shown.textContent = usual;
      row.classList.remove("changed");
    },
  }, "reset");
  const row = h(
    "div",
    { class: "parameter" },
    h("div", {}, h("code", {}, p.name), " ", shown, " ", h("span", { class: "unit" }, p.unit), reset),
    input,
    h("div", { class: "meaning" }, p.meaning),
    h("div", { class: "source" }, `Source: ${p.source}`),
  );
  return row;
}

// Follow a run's server-sent progress events, each stage on its own line with its own bar (simulating counts the
// futures; the others run as one step each); open the results when it finishes.
function follow(run, box, message) {
  box.hidden = false;
  const rows = run.stages.map((stage) => {
    const bar = h("progress", { max: 1, value: 0 });
    const said = h("span", { class: "said" });
    return { stage, bar, said, row: h("li", { class: "stage" }, h("span", { class: "name" }, stage), bar, said) };
  });
  const phase = h("p", { class: "phase" }, run.status);
  box.replaceChildren(h("ol", { class: "stages" }, rows.map((r) => r.row)), phase);
  const show = (s) => {
    const at = s.status === "finished" ? rows.length : run.stages.indexOf(s.phase);
    rows.forEach((r, i) => {
      r.row.className = `stage ${i < at ? "done" : i === at ? "current" : "waiting"}`;
      if (r.stage === "simulating" && i <= at) {
        r.bar.max = s.total || 1;
        r.bar.value = i < at ? s.total : s.done || 0;
        r.said.textContent = `${(i < at ? s.total : s.done || 0).toLocaleString()} of ${(s.total || 0).toLocaleString()} futures`;
      } else if (i < at) {
        r.bar.max = 1;
        r.bar.value = 1;
        r.said.textContent = "done";
      } else if (i === at) {
        r.bar.removeAttribute("value"); // an indeterminate bar: this stage is one step
        r.said.textContent = "working";
      }
    });
    phase.textContent = s.status === "running" ? `stage ${at + 1} of ${rows.length}: ${s.phase}` : s.status;
  };
  const events = new EventSource(`/api/runs/${run.id}/progress`);
  events.addEventListener("progress", (e) => show(JSON.parse(e.data)));
  events.addEventListener("end", (e) => {
    events.close();
    const s = JSON.parse(e.data);
    if (s.status === "finished") {
      show(s);
      phase.textContent = "finished: opening the results";
      setTimeout(() => (location.hash = `#/runs/${run.id}`), SHOW_FINISHED_MS);
    } else {
      message.textContent = `The run failed: ${s.error}`;
    }
  });
}

// --- Results ------------------------------------------------------------------------------------------------------

async function results(id) {
  const run = await call(`/api/runs/${id}`);
  if (run.status !== "finished") {
    const progress = h("div", { id: "run-progress" });
    const message = h("pre", { class: "error" }, run.error ?? "");
    page.replaceChildren(h("h1", {}, `Run ${id}`), h("p", {}, `This run is ${run.status}.`), progress, message);
    if (run.status !== "failed") follow(run, progress, message);
    return;
  }
  const view = (name) => call(`/api/runs/${id}/views/${name}`);
  const [comparison, claims, timeline, discovery, sensitivity, matrix, signposts, examples, backtest, variables] = await Promise.all(
    ["comparison", "claims", "timeline", "discovery", "sensitivity", "matrix", "signposts", "examples", "backtest"].map(view).concat(call(`/api/runs/${id}/variables`)),
  );
  const r = run.request;
  const narrative = h("pre", { class: "narrative", id: "narrative" }, "Click a future in the list to read its story.");
  page.replaceChildren(
    h("h1", {}, `Run ${id}`),
    h(
      "p",
      { class: "meta" },
      r.prior
        ? `The posterior of run ${r.prior} under ${r.observations.length} observation(s): ${r.futures.toLocaleString()} futures resampled by the evidence × ${r.packages.length} packages × ${r.years} years, seed ${r.seed}; baseline ${r.baseline}. `
        : `${r.futures.toLocaleString()} futures (${(r.futures / r.replications).toLocaleString()} parameter vectors × ${r.replications}) × ${r.packages.length} packages × ${r.years} years, seed ${r.seed}; baseline ${r.baseline}. `,
      h("a", { href: `/api/runs/${id}/report`, target: "_blank" }, "HTML report"),
      " · ",
      h("a", { href: `#/runs/${id}/evidence` }, "weigh by evidence"),
      " · Parquet: ",
      ["experiments", "final", "yearly"].map((t) => [h("a", { href: `/api/runs/${id}/files/${t}.parquet` }, t), " "]),
    ),
    comparison.analysed?.futures < comparison.analysed?.of // views written before runs were sampled have none
      ? h(
          "p",
          { class: "meta", id: "sample-note" },
          `The comparison (probabilities, paired differences, regret, satisficing) is over all the run's ${comparison.analysed.of.toLocaleString()} futures per package; the other views analyse its first ${comparison.analysed.futures.toLocaleString()} (whole parameter vectors, which the design puts in random order: a random sample). The Parquet files hold every future.`,
        )
      : "",
    section("Comparison", comparisonTable(comparison)),
    section("Claims", claimsTable(claims)),
    section("Over time", chart(timeline.chart)),
    section("Explore futures", explorer(id, comparison, variables, narrative)),
    section("Scenario discovery", discovery.map(box)),
    section("Sensitivity", h("ul", {}, sensitivity.told_apart.map((line) => h("li", {}, line))), chart(sensitivity.chart)),
    section("Matrix", matrixTable(matrix)),
    section(
      "Signposts",
      table(
        [
          { label: "signpost", value: (s) => s.signpost, title: (s) => s.meaning },
          { label: "seen", value: (s) => percent(s.seen) },
          { label: "points to", value: (s) => comparison.named_futures[s.points_to] ?? "–" },
          { label: "points away from", value: (s) => comparison.named_futures[s.points_away_from] ?? "–" },
          { label: "strength", value: (s) => number(s.strength) },
        ],
        signposts,
      ),
    ),
    section("Example futures", examples.map((e) => h("div", {}, h("h3", {}, `${e.title} (future ${e.future})`), h("pre", { class: "narrative" }, e.narrative)))),
    section(
      "Backtest",
      table(
        [
          { label: "event", value: ([k]) => k.replaceAll("_", " "), title: ([, s]) => s.meaning },
          { label: "Brier model", value: ([, s]) => [s.brier_model.toFixed(4), " ", h("span", { class: "ci" }, `(${s.brier_model_ci.map((x) => x.toFixed(4)).join(" to ")})`)] },
          { label: "Brier base", value: ([, s]) => s.brier_base.toFixed(4) },
          ...["base_rate", "persistence", "logistic"].map((r) => ({
            label: `skill vs ${r.replace("_", " ")}`,
            value: ([, s]) => skillText(s.baselines[r].brier_skill),
          })),
          { label: "AUC", value: ([, s]) => (s.auc == null ? "–" : `${s.auc.toFixed(2)} (${s.auc_ci.map((x) => x.toFixed(2)).join("–")})`) },
          { label: "verdict", value: ([, s]) => s.verdict, title: ([, s]) => (s.carried_by.length ? `carried by the recorded ${s.carried_by.join(", ")}: not a test of skill` : "") },
        ],
        Object.entries(backtest.scores),
      ),
      chart(backtest.events_chart),
      h("h3", {}, "Reliability: how often the event happened, against the forecast"),
      h(
        "p",
        { class: "note" },
        "The CORP reliability curve (Dimitriadis, Gneiting and Jordan 2021): on the dashed diagonal the forecast is calibrated. " +
          "The model's Brier score splits into reliability (miscalibration; 0 is calibrated) − resolution (discrimination; higher is better) + uncertainty (the base rate's Brier score), each with its 95% block-bootstrap interval.",
      ),
      chart(backtest.reliability_chart),
      table(
        [
          { label: "event", value: ([k]) => k.replaceAll("_", " ") },
          ...["reliability", "resolution", "uncertainty"].map((part) => ({ label: part, value: ([, s]) => murphyText(s.murphy[part]) })),
        ],
        Object.entries(backtest.scores),
      ),
      chart(backtest.series_chart),
    ),
  );
}

// A part of the Brier score's Murphy decomposition with its interval: "0.0031 (0.0012 to 0.0064)"
const murphyText = (m) => (m.value == null ? "–" : [m.value.toFixed(4), " ", h("span", { class: "ci" }, `(${m.lo.toFixed(4)} to ${m.hi.toFixed(4)})`)]);

// A Brier skill score with its interval: "+0.19 (−0.12 to 0.54)"
const skillText = (k) => (k.value == null ? "–" : `${k.value >= 0 ? "+" : ""}${k.value.toFixed(2)} (${k.lo.toFixed(2)} to ${k.hi.toFixed(2)})`);

function comparisonTable(c) {
  const keys = [...Object.keys(c.named_futures).map((k) => `future:${k}`), ...Object.keys(c.summary.packages[c.packages[0]]).filter((k) => !k.startsWith("future:"))];
  const label = (k) => (k.startsWith("future:") ? `named future: ${c.named_futures[k.slice(7)]}` : k.replaceAll("_", " "));
  return table(
    [{ label: "outcome", value: (k) => label(k) }].concat(
      c.packages.map((p) => ({
        label: p.replaceAll("_", " "),
        value: (k) => [percent(c.summary.packages[p][k].p), " ", h("span", { class: "ci" }, `(${percent(c.summary.packages[p][k].lo)}–${percent(c.summary.packages[p][k].hi)})`)],
        title: (k) => `${p}, ${label(k)}: ${percent(c.summary.packages[p][k].p)}, 95% interval ${percent(c.summary.packages[p][k].lo)}–${percent(c.summary.packages[p][k].hi)}`,
      })),
    ),
    keys,
  );
}

// A variable's bands over time for the packages ticked (one panel each, so no band hides another) and the list of
// futures of one package, a page at a time, both filtered by named future; click a future to read it.
const PAGE = 25; // futures listed at a time
const PANEL = { width: 300, height: 180 };

function explorer(id, comparison, variables, narrative) {
  const state = {
    variable: variables.includes("credibility") ? "credibility" : variables[0],
    named: "",
    package: comparison.baseline,
    shown: new Set([comparison.baseline, ...comparison.packages.filter((p) => p !== comparison.baseline).slice(0, 1)]),
    offset: 0,
  };
  const plot = h("div", { id: "series" });
  const list = h("div", { id: "futures" });
  const select = (name, options, onchange) =>
    h("select", { name, onchange: (e) => { state[name] = e.target.value; onchange(); } }, options.map(([v, l]) => h("option", { value: v, selected: v === state[name] }, l)));
  const query = (extra) => new URLSearchParams({ ...extra, ...(state.named ? { named_future: state.named } : {}) });
  const ticks = comparison.packages.map((p) =>
    h(
      "label",
      { class: "tick" },
      h("input", { type: "checkbox", name: `show-${p}`, checked: state.shown.has(p), onchange: (e) => { e.target.checked ? state.shown.add(p) : state.shown.delete(p); draw(); } }),
      ` ${p.replaceAll("_", " ")}`,
    ),
  );

  async function draw() {
    const all = await call(`/api/runs/${id}/series?${query({ variable: state.variable })}`);
    const words = (p) => p.replaceAll("_", " ");
    const bands = all.filter((b) => state.shown.has(b.package)).map((b) => ({ ...b, package: words(b.package) }));
    const x = { field: "year", type: "quantitative", axis: { format: "d" }, title: null };
    const y = { field: "p50", type: "quantitative", title: `${state.variable.replaceAll("_", " ")}: median and 5–95% of futures` };
    const order = comparison.packages.filter((p) => state.shown.has(p)).map(words);
    plot.replaceChildren(
      state.shown.size === 0
        ? h("p", {}, "Tick a package to draw its band.")
        : bands.length === 0
          ? h("p", {}, "No future ends this way.")
          : chart({
              data: { values: bands },
              facet: { field: "package", type: "nominal", sort: order, title: null, header: { labelFontSize: 13 } },
              columns: 3,
              spec: {
                ...PANEL,
                layer: [
                  { mark: { type: "area", opacity: 0.3 }, encoding: { x, y: { field: "p05", type: "quantitative", title: y.title }, y2: { field: "p95" } } },
                  { mark: { type: "line", strokeWidth: 2 }, encoding: { x, y } },
                  {
                    mark: { type: "point", opacity: 0, size: 80 },
                    encoding: { x, y, tooltip: ["package", "year", "p05", "p50", "p95", "mean", "futures"].map((f) => ({ field: f, type: f === "package" ? "nominal" : "quantitative" })) },
                  },
                ],
              },
              resolve: { scale: { y: "shared" } },
              config: { axis: { labelFontSize: 12, titleFontSize: 12 } },
            }),
    );
  }
  async function listFutures() {
    const found = await call(`/api/runs/${id}/futures?${query({ package: state.package, limit: PAGE, offset: state.offset })}`);
    const first = found.count === 0 ? 0 : state.offset + 1;
    const last = state.offset + found.futures.length;
    const move = (by) => { state.offset = Math.max(0, state.offset + by); listFutures(); };
    list.replaceChildren(
      h("p", {}, `${found.count.toLocaleString()} futures of ${found.package}${state.named ? ` end as “${comparison.named_futures[state.named]}”` : ""}; ${first.toLocaleString()}–${last.toLocaleString()} shown:`),
      h(
        "div",
        { class: "pager" },
        h("button", { type: "button", name: "previous", disabled: state.offset === 0, onclick: () => move(-PAGE) }, "previous"),
        h("button", { type: "button", name: "next", disabled: last >= found.count, onclick: () => move(PAGE) }, "next"),
      ),
      table(
        [
          { label: "future", value: (f) => f.future },
          { label: "named future", value: (f) => comparison.named_futures[f.named_future] },
          { label: "outcomes", value: (f) => ["rupture", "drawdown", "nuclear_pursuit", "war", "nuclear_use"].filter((k) => f[k]).join(", ").replaceAll("_", " ") || "none" },
        ],
        found.futures,
        async (f) => {
          narrative.textContent = "…";
          const told = await call(`/api/runs/${id}/futures/${f.future}/narrative?package=${state.package}`);
          narrative.textContent = told.narrative;
        },
      ),
    );
  }
  const fromStart = (redraw) => () => { state.offset = 0; return redraw(); };
  const refresh = () => Promise.all([draw(), listFutures()]);
  refresh();
  return h(
    "div",
    {},
    h(
      "div",
      { class: "controls" },
      h("label", {}, "variable ", select("variable", variables.map((v) => [v, v.replaceAll("_", " ")]), draw)),
      h("label", {}, "named future ", select("named", [["", "all futures"], ...Object.entries(comparison.named_futures)], fromStart(refresh))),
    ),
    h("div", { class: "controls" }, "bands of ", ticks),
    plot,
    h("div", { class: "controls" }, h("label", {}, "futures of ", select("package", comparison.packages.map((p) => [p, p.replaceAll("_", " ")]), fromStart(listFutures)))),
    h("div", { class: "pair" }, list, narrative),
  );
}

// Each source claim tested: hover a row for where it fails, click it to read that with the claim's own words.
function claimsTable(c) {
  const detail = h("div", { class: "claim-detail", id: "claim-detail" }, "Click a claim to read where it fails.");
  const scale = (x) => (x.unit === "probability" ? 100 : 1);
  const show = (x) =>
    detail.replaceChildren(
      h("h3", {}, x.name.replaceAll("_", " ")),
      h("p", {}, x.fails_where || "It holds or shows no difference in every parameter vector."),
      h("blockquote", {}, `“${x.sentence}” (${x.seed})`),
      x.mechanism ? h("p", { class: "meta" }, `Mechanism: ${x.mechanism}`) : null,
    );
  return [
    c.claims.length === 0 ? h("p", {}, "No claim of the case could be tested on this run.") : null,
    table(
      [
        { label: "claim", value: (x) => x.name.replaceAll("_", " "), title: (x) => x.fails_where || "holds or shows no difference everywhere" },
        { label: "seed", value: (x) => x.seed },
        { label: "claimed effect", value: (x) => `${x.package} ${x.direction === "lower" ? "lowers" : "raises"} ${x.outcome} against ${x.baseline}`.replaceAll("_", " ") },
        { label: "difference (95%)", value: (x) => `${(scale(x) * x.difference).toFixed(1)} (${(scale(x) * x.lo).toFixed(1)} to ${(scale(x) * x.hi).toFixed(1)})${x.unit === "probability" ? " pts" : ` ${x.unit}`}` },
        { label: "verdict", value: (x) => x.verdict },
        { label: "holds (95%)", value: (x) => `${percent(x.share_holds)} (${percent(x.share_holds_lo)} to ${percent(x.share_holds_hi)})` },
        { label: "fails (95%)", value: (x) => `${percent(x.share_fails)} (${percent(x.share_fails_lo)} to ${percent(x.share_fails_hi)})` },
      ],
      c.claims,
      show,
    ),
    c.skipped.map((note) => h("p", { class: "meta" }, `Skipped ${note}`)),
    detail,
  ];
}

function box(b) {
  return h(
    "div",
    { class: "box" },
    h("h3", {}, b.title),
    h("p", {}, b.sentence),
    table(
      [
        { label: "driver", value: ([name]) => name, title: ([name]) => b.meanings[name] },
        { label: "from", value: ([, [lo]]) => number(lo) },
        { label: "to", value: ([, [, hi]]) => number(hi) },
      ],
      Object.entries(b.limits),
    ),
    h(
      "p",
      { class: "meta" },
      `coverage ${percent(b.coverage)}, density ${percent(b.density)}, mass ${percent(b.mass)}, base rate ${percent(b.base_rate)}, lift ${number(b.lift, 2)}` +
        (b.heldout_lift ? `; held-out lift ${number(b.heldout_lift[0], 2)} (${number(b.heldout_lift[1], 2)}–${number(b.heldout_lift[2], 2)})` : "; not checked on held-out vectors"),
    ),
  );
}

function matrixTable(m) {
  const cell = (high0, high1) => {
    const i = m.quadrants.findIndex((q) => q.high[0] === high0 && q.high[1] === high1);
    const q = m.quadrants[i];
    const top = Object.entries(q.rates).sort((a, b) => b[1] - a[1]).slice(0, 3);
    return h("td", { title: q.narrative }, h("b", {}, percent(q.probability)), h("br"), top.map(([k, v]) => [`${k.replaceAll("_", " ")} ${percent(v)}`, h("br")]), h("span", { class: "meta" }, `mix: ${m.contrasts[i]}`));
  };
  return h(
    "table",
    { class: "matrix" },
    h("tr", {}, h("th"), h("th", {}, m.sides[1][0]), h("th", {}, m.sides[1][1])),
    [true, false].map((high0, i) => h("tr", {}, h("th", {}, m.sides[0][i]), cell(high0, true), cell(high0, false))),
  );
}

// --- Evidence -----------------------------------------------------------------------------------------------------

// Observations entered (or uploaded) weigh a finished run's futures; the before and after update with each change,
// and the posterior can be saved as a new run.
async function evidence(id) {
  const [run, options] = await Promise.all([call(`/api/runs/${id}`), call(`/api/runs/${id}/evidence`)]);
  const entries = [];
  let followed = options.followed;
  const result = h("div", { id: "evidence-result" });
  const message = h("pre", { class: "error", id: "evidence-error" });
  const list = h("div", { id: "observations" });
  const progress = h("div", { id: "run-progress", hidden: true });

  const field = (label, control) => h("label", {}, label, " ", control);
  const select = (name, values, titles = {}) => h("select", { name }, values.map((v) => h("option", { value: v, title: titles[v] }, v)));
  const year = select("year", options.years.map(String));
  const kind = select("kind", ["indicator", "signpost"]);
  const indicator = select("indicator", Object.keys(options.indicators));
  const value = h("input", { type: "number", name: "value", step: "any" });
  const sd = h("input", { type: "number", name: "sd", step: "any", min: 0 });
  const signpost = select("signpost", Object.keys(options.signposts), options.signposts);
  const seen = h("input", { type: "checkbox", name: "seen", checked: true });
  const falseAlarm = h("input", { type: "number", name: "false_alarm", value: 0.05, step: "any", min: 0, max: 1 });
  const miss = h("input", { type: "number", name: "miss", value: 0.1, step: "any", min: 0, max: 1 });
  const source = h("input", { type: "text", name: "source", size: 40, placeholder: "where it was observed" });
  const measured = h("span", { class: "kind" }, field("variable", indicator), field("value", value), field("standard error", sd));
  const reported = h("span", { class: "kind", hidden: true }, field("signpost", signpost), field("seen", seen), field("false alarm", falseAlarm), field("miss", miss));
  kind.addEventListener("change", () => {
    measured.hidden = kind.value !== "indicator";
    reported.hidden = kind.value !== "signpost";
  });

  function add() {
    const entry = { year: Number(year.value), source: source.value };
    if (kind.value === "indicator") Object.assign(entry, { indicator: indicator.value, value: Number(value.value), sd: Number(sd.value) });
    else Object.assign(entry, { signpost: signpost.value, seen: seen.checked, false_alarm: Number(falseAlarm.value), miss: Number(miss.value) });
    entries.push(entry);
    refresh();
  }

  async function upload(e) {
    const file = e.target.files[0];
    if (!file) return;
    try {
      entries.push(...(await call("/api/observations", { method: "POST", body: JSON.stringify({ log: await file.text() }) })));
      refresh();
    } catch (err) {
      message.textContent = `${file.name}: ${err.body?.detail?.[0]?.msg ?? err.message}`; // the log's own error, not the field's
    }
    e.target.value = "";
  }

  async function refresh() {
    list.replaceChildren(
      entries.length === 0
        ? h("p", {}, "No observations yet: add one, or upload a log.")
        : table(
            [
              { label: "year", value: (o) => o.year },
              { label: "observed", value: (o) => (o.indicator ? `${o.indicator} = ${o.value} ± ${o.sd}` : `${o.signpost}: ${o.seen ? "seen" : "not seen"} (false alarm ${o.false_alarm}, miss ${o.miss})`) },
              { label: "source", value: (o) => o.source },
              { label: "", value: (o) => h("button", { class: "reset", onclick: () => { entries.splice(entries.indexOf(o), 1); refresh(); } }, "remove") },
            ],
            entries,
          ),
    );
    message.textContent = "";
    if (entries.length === 0) {
      result.replaceChildren();
      return;
    }
    try {
      const body = JSON.stringify({ observations: entries, baseline: followed });
      result.replaceChildren(updated(await call(`/api/runs/${id}/update`, { method: "POST", body })));
    } catch (err) {
      message.textContent = err.message;
    }
  }

  async function save() {
    message.textContent = "";
    try {
      const body = JSON.stringify({ observations: entries, baseline: followed });
      follow(await call(`/api/runs/${id}/posterior`, { method: "POST", body }), progress, message);
    } catch (err) {
      message.textContent = err.message;
    }
  }

  page.replaceChildren(
    h("h1", {}, `Evidence for run ${id}`),
    h("p", { class: "meta" }, `${run.request.futures.toLocaleString()} futures × ${run.request.packages.length} packages, ${options.years[0]}–${options.years.at(-1)}. Each observation weighs every future by how likely it is there: a measured value with its standard error, or a signpost reported seen or not with its error rates (docs/nowcasting.md).`),
    section(
      "Observations",
      h("div", { class: "controls" }, field("year", year), field("kind", kind), measured, reported),
      h("div", { class: "controls" }, field("source", source), h("button", { id: "add-observation", onclick: add }, "Add"), " ", field("or upload a log (YAML)", h("input", { type: "file", name: "log", accept: ".yaml,.yml", onchange: upload }))),
      list,
      message,
    ),
    section(
      "What the evidence says",
      field("the package the world followed", h("select", { name: "followed", onchange: (e) => { followed = e.target.value; refresh(); } }, options.packages.map((p) => h("option", { value: p, selected: p === followed }, p)))),
      result,
      h("button", { id: "save-posterior", onclick: save }, "Save the posterior as a run"),
      progress,
    ),
  );
  refresh();
}

// An update's before and after: the effective futures left, each outcome per package, the parameters moved
function updated(u) {
  const label = (k) => (k.startsWith("future:") ? `named future: ${k.slice(7).replaceAll("_", " ")}` : k.replaceAll("_", " "));
  const amount = (k, x) => (x == null ? "–" : k === "us_net_cost" ? `${x.toFixed(1)} bn` : percent(x));
  const packages = Object.keys(u.packages);
  const outcomes = Object.keys(u.packages[packages[0]]);
  return h(
    "div",
    {},
    h("p", { id: "ess" }, `Effective futures left of ${u.futures.toLocaleString()} (and effective parameter vectors): ${Object.entries(u.ess_by_package).map(([p, e]) => `${p.replaceAll("_", " ")} ${Math.round(e).toLocaleString()} (${Math.round(u.vector_ess_by_package[p]).toLocaleString()})`).join(", ")}. Weights ${u.shared_weights ? "the same for every package" : "computed package by package (their paths differ in the years observed)"}.`),
    u.warnings.map((w) => h("p", { class: "error" }, w)),
    table(
      [{ label: "outcome", value: (k) => label(k) }].concat(
        packages.map((p) => ({
          label: p.replaceAll("_", " "),
          value: (k) => {
            const r = u.packages[p][k];
            const interval = (lo, hi) => (lo == null ? "" : ` (${amount(k, lo)} to ${amount(k, hi)})`);
            return [
              amount(k, r.prior),
              h("span", { class: "ci" }, interval(r.prior_lo, r.prior_hi)),
              ` → ${amount(k, r.posterior)}`,
              h("span", { class: "ci" }, interval(r.lo, r.hi)),
            ];
          },
        })),
      ),
      outcomes,
    ),
    h("h3", {}, `The parameters the evidence moved most (under ${u.followed.replaceAll("_", " ")})`),
    table(
      [
        { label: "parameter", value: (p) => p.name },
        { label: "prior mean", value: (p) => number(p.prior_mean) },
        { label: "posterior mean", value: (p) => number(p.posterior_mean) },
        { label: "shift (prior sds)", value: (p) => number(p.shift, 2) },
        { label: "posterior 5–95%", value: (p) => `${number(p.p05)} to ${number(p.p95)}` },
      ],
      u.parameters.slice(0, 8),
    ),
  );
}

// --- Run history and negotiation ----------------------------------------------------------------------------------

async function history() {
  const runs = await call("/api/runs");
  page.replaceChildren(
    h("h1", {}, "Run history"),
    runs.length === 0
      ? h("p", {}, "No runs yet.")
      : table(
          [
            { label: "run", value: (r) => h("a", { href: `#/runs/${r.id}` }, r.id) },
            { label: "status", value: (r) => r.status, title: (r) => r.error ?? r.phase ?? "" },
            { label: "packages", value: (r) => r.request.packages.join(", ").replaceAll("_", " ") },
            { label: "futures", value: (r) => r.request.futures.toLocaleString() },
            { label: "years", value: (r) => r.request.years },
            { label: "seed", value: (r) => r.request.seed },
            { label: "changed assumptions", value: (r) => Object.keys(r.request.overrides).join(", ") || "none" },
            { label: "submitted (UTC)", value: (r) => r.created.slice(0, 19).replace("T", " ") },
          ],
          runs,
        ),
  );
}

async function chooseRun(title, prompt, view) {
  const finished = (await call("/api/runs")).filter((r) => r.status === "finished");
  const runs = finished.map((r) => h("li", {}, h("a", { href: `#/runs/${r.id}/${view}` }, r.id), ` ${r.request.futures.toLocaleString()} futures, ${r.request.packages.join(", ").replaceAll("_", " ")}`));
  page.replaceChildren(h("h1", {}, title), h("p", {}, finished.length === 0 ? "No finished runs yet: start one under New run." : prompt), h("ul", {}, runs));
}

async function negotiation() {
  const tables = await call("/api/negotiations/tables");
  const out = h("div", { id: "negotiation" });
  async function forecast(name) {
    const n = await call("/api/negotiations", { method: "POST", body: JSON.stringify({ table: name }) });
    out.replaceChildren(
      h("h2", {}, n.issue),
      table([{ label: "model", value: ([m]) => m.replaceAll("_", " ") }, { label: "forecast", value: ([, v]) => v.toFixed(2) }], Object.entries(n.forecasts)),
      h("h3", {}, "Expected utility model, round by round"),
      table(
        [
          { label: "round", value: (r) => r.round },
          { label: "weighted median", value: (r) => r.weighted_median.toFixed(2) },
          { label: "weighted mean", value: (r) => r.weighted_mean.toFixed(2) },
          { label: "moves", value: (r) => r.moves.filter((m) => m.from.toFixed(1) !== m.to.toFixed(1)).map((m) => `${m.stakeholder} → ${m.toward}: ${m.from.toFixed(1)} → ${m.to.toFixed(1)}`).join("; ") },
        ],
        n.rounds,
      ),
    );
  }
  page.replaceChildren(
    h("h1", {}, "Negotiation forecast"),
    h("label", {}, "stakeholder table ", h("select", { onchange: (e) => forecast(e.target.value) }, tables.map((t) => h("option", { value: t }, t)))),
    out,
  );
  forecast(tables[0]);
}

// --- Routing ------------------------------------------------------------------------------------------------------

async function route() {
  const [, where, id, view] = location.hash.split("/");
  window.scrollTo(0, 0); // a new page opens at its top, not where the last one was scrolled to
  try {
    if (where === "runs" && id && view === "evidence") await evidence(id);
    else if (where === "runs" && id) await results(id);
    else if (where === "evidence") await chooseRun("Evidence", "Choose a finished run to weigh by observations.", "evidence");
    else if (where === "history") await history();
    else if (where === "negotiate") await negotiation();
    else await newRun();
  } catch (e) {
    page.replaceChildren(h("p", { class: "error" }, e.message));
  }
}
window.addEventListener("hashchange", route);
route();
