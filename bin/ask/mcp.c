/* mcp.c: aiops-ask --mcp (in progress). */
#include "compat.h"

#include "ask.h"

int
ask_mcp(struct ask *a)
{
	(void)a;
	return 0;
}
