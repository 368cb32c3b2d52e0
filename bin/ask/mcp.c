/*
 * mcp.c: aiops-ask --mcp, a Model Context Protocol server on stdin and
 * stdout (specification 2025-06-18, stdio transport): JSON-RPC 2.0, one
 * message a line. It exposes the tools of tools.c, read-only, to any MCP
 * client (an assistant, an IDE), the same ones the offline engine and a
 * model call. Methods: initialize, ping, tools/list, tools/call; the
 * notifications (notifications/initialized, cancelled) need no reply.
 * A tool that fails answers isError with why; a message that is not
 * JSON-RPC is a JSON-RPC error (-32700, -32600, -32601, -32602). Nothing
 * but messages goes to standard output; diagnostics go to stderr.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "ask.h"
#include "core/clock.h"
#include "tool/log.h"

#define MCP_VERSION	"2025-06-18"

/* The protocol versions this server speaks, newest first. */
static const char *const versions[] = { "2025-06-18", "2025-03-26", "2024-11-05", NULL };

static void
send(json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		free(s);
	}
	json_decref(msg);
}

static void
reply(json_t *id, json_t *result)
{
	send(json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id, "result", result));
}

static void
error(json_t *id, int code, const char *message)
{
	send(json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
	    "error", "code", code, "message", message));
}

static json_t *
initialize(const json_t *params)
{
	const char *want = json_string_value(json_object_get(params, "protocolVersion"));
	const char *version = MCP_VERSION;
	size_t i;

	for (i = 0; want != NULL && versions[i] != NULL; i++)
		if (strcmp(want, versions[i]) == 0)
			version = versions[i];
	return json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s}, s:s}", "protocolVersion", version,
	    "capabilities", "tools", "listChanged", 0, "serverInfo", "name", "aiops-ask",
	    "version", PACKAGE_VERSION, "instructions",
	    "Read-only tools over an aiops state: alerts, anomalies, incidents and their suspected "
	    "cause, predictions, metrics, log templates and search, GPUs, clusters, automation, "
	    "KPIs, and SQL over documented views. Times are RFC 3339 UTC.");
}

/* tools/call: the tool's rows as text and as structured content. */
static json_t *
call(struct ask *a, const json_t *params, json_t *id)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments"), *r;
	char err[ASK_ERRSZ] = "", *text;
	const struct ask_tool *t;

	for (t = ask_tools; name != NULL && t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			break;
	if (name == NULL || t->name == NULL) {
		snprintf(err, sizeof(err), "unknown tool: %s", name != NULL ? name : "(none)");
		error(id, -32602, err);
		return NULL;
	}
	if (args != NULL && !json_is_object(args)) {
		error(id, -32602, "arguments: an object");
		return NULL;
	}
	a->now = aiops_clock_now();
	if ((r = ask_tool_call(a, name, args, err, sizeof(err))) == NULL)
		return json_pack("{s:[{s:s, s:s}], s:b}", "content", "type", "text", "text", err,
		    "isError", 1);
	text = json_dumps(r, JSON_COMPACT);
	r = json_pack("{s:[{s:s, s:s}], s:o, s:b}", "content", "type", "text", "text",
	    text != NULL ? text : "", "structuredContent", r, "isError", 0);
	free(text);
	return r;
}

/* One message: a request answered, a notification taken, or an error. */
static void
handle(struct ask *a, const char *line, size_t len)
{
	json_error_t je;
	json_t *msg = json_loadb(line, len, 0, &je), *id, *params, *result = NULL;
	const char *method;

	if (msg == NULL) {
		error(NULL, -32700, "parse error: not JSON");
		return;
	}
	id = json_object_get(msg, "id");
	method = json_string_value(json_object_get(msg, "method"));
	params = json_object_get(msg, "params");
	if (!json_is_object(msg) || method == NULL ||
	    json_string_value(json_object_get(msg, "jsonrpc")) == NULL ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0 ||
	    (id != NULL && !json_is_string(id) && !json_is_integer(id))) {
		/* A response from the client (it has no method) needs nothing. */
		if (!(json_is_object(msg) && method == NULL && id != NULL))
			error(id, -32600, "invalid request: a JSON-RPC 2.0 object with a method");
		json_decref(msg);
		return;
	}
	if (id == NULL) {		/* a notification: no reply, ever */
		json_decref(msg);
		return;
	}
	if (strcmp(method, "initialize") == 0)
		result = initialize(params);
	else if (strcmp(method, "ping") == 0)
		result = json_object();
	else if (strcmp(method, "tools/list") == 0)
		result = json_pack("{s:o}", "tools", ask_tools_mcp());
	else if (strcmp(method, "tools/call") == 0) {
		if (!json_is_object(params))
			error(id, -32602, "params: an object with name and arguments");
		else
			result = call(a, params, id);
	} else
		error(id, -32601, "method not found");
	if (result != NULL)
		reply(id, result);
	json_decref(msg);
}

int
ask_mcp(struct ask *a)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if ((size_t)n > a->cli.max_line) {
			error(NULL, -32600, "message too long");
			continue;
		}
		json_decref(a->calls);
		a->calls = json_array();
		handle(a, line, (size_t)n);
	}
	free(line);
	return ferror(stdin) ? EX_IOERR : 0;
}
