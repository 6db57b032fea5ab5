/* Placeholder translation unit for a library whose sources have not landed. */
typedef int vigil_empty_translation_unit;
