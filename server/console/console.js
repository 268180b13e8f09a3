// The console: GraphiQL (with its documentation explorer) sending every request to
// /v1/graphql with the admin secret, JWT and role typed in the bar above it. They are
// kept in this browser's localStorage; "Apply" reloads the schema as that identity.
(function () {
  const fields = ["secret", "jwt", "role"];
  const input = (name) => document.getElementById(name);
  for (const name of fields) input(name).value = localStorage.getItem("pgf-console-" + name) || "";

  function authHeaders() {
    const headers = {};
    const secret = input("secret").value.trim();
    const jwt = input("jwt").value.trim();
    const role = input("role").value.trim();
    if (secret) headers["x-hasura-admin-secret"] = secret;
    if (jwt) headers["Authorization"] = "Bearer " + jwt;
    if (role) headers["x-hasura-role"] = role;
    return headers;
  }

  async function fetcher(params, options) {
    const response = await fetch("/v1/graphql", {
      method: "POST",
      headers: Object.assign({ "content-type": "application/json" }, authHeaders(), (options && options.headers) || {}),
      body: JSON.stringify(params),
    });
    return response.json();
  }

  const initial = new URLSearchParams(location.search).get("query");
  const root = ReactDOM.createRoot(input("graphiql"));
  let generation = 0;
  function render() {
    generation += 1;
    root.render(
      React.createElement(GraphiQL, {
        key: generation,
        fetcher,
        defaultQuery: initial || "# Ask pg_federation: tables, remote schemas and their joins.\n{\n  __typename\n}\n",
        query: initial || undefined,
        isHeadersEditorEnabled: true,
      })
    );
  }

  input("bar").addEventListener("submit", (event) => {
    event.preventDefault();
    for (const name of fields) localStorage.setItem("pgf-console-" + name, input(name).value);
    render();
  });
  render();
})();
