// The literals live in convert/, whose converters write expressions; emit re-exports them.
export * from "../convert/python-literals.js";
