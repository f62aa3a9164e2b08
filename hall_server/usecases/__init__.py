"""The hall's use cases: they apply the domain rules to the store and raise Refusal with a stable code;
no HTTP here (hall_server/api parses requests and turns refusals into responses)."""
