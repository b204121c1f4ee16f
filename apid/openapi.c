/*
 * openapi: GET /api/openapi.json, the API described as OpenAPI 3.1 -- every
 * path, parameter, response and schema apid serves. The document is the file
 * apid/openapi.json, the one copy of the contract (doc/design.md#api-contract):
 * the Makefile compiles it in as openapi_doc (mk/cstring.sh) and it is served
 * byte for byte as written. The contract test (t/sh/apid_contract.sh)
 * validates real responses against it, the unit test checks that every route
 * in the table is described, check_vocab that its enums are the vocabulary's,
 * and the dashboard's API types are generated from it (web/src/api/openapi.d.ts).
 */
#include "apid.h"

const char *openapi_json(void)
{
	return openapi_doc;
}

void h_openapi(struct req *r)
{
	http_send(r, 200, "application/json", "Cache-Control: no-cache\r\n", openapi_doc,
		  openapi_doc_len);
}
