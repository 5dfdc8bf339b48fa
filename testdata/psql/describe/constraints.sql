-- \d with CHECK and FOREIGN KEY constraints ("Check constraints:",
-- "Foreign-key constraints:", "Referenced by:"), and the DETAIL lines of
-- constraint violations as psql shows them.
CREATE TABLE authors (
  id integer PRIMARY KEY,
  email text UNIQUE,
  born integer CHECK (born > 1800),
  name varchar(40) NOT NULL CONSTRAINT name_not_blank CHECK (name <> '')
);
CREATE TABLE books (
  id serial PRIMARY KEY,
  author_id integer REFERENCES authors ON DELETE CASCADE,
  editor text REFERENCES authors (email) ON UPDATE CASCADE ON DELETE SET NULL,
  pages integer,
  price numeric(8,2),
  CHECK (pages > 0 AND price >= 0)
);
CREATE TABLE reviews (
  book_id integer,
  author_id integer,
  stars smallint CHECK (stars BETWEEN 1 AND 5),
  CONSTRAINT reviews_book FOREIGN KEY (book_id) REFERENCES books (id) ON DELETE RESTRICT,
  FOREIGN KEY (author_id) REFERENCES authors
);
\d authors
\d books
\d reviews
INSERT INTO authors VALUES (1, 'a@x', 1900, 'Ann');
INSERT INTO authors VALUES (2, 'b@x', 1700, 'Bob');
INSERT INTO authors VALUES (2, 'b@x', 1950, '');
INSERT INTO books (author_id, editor, pages, price) VALUES (1, 'a@x', 100, 9.5);
INSERT INTO books (author_id, editor, pages, price) VALUES (7, NULL, 100, 9.5);
INSERT INTO books (author_id, editor, pages, price) VALUES (1, 'zz@x', 100, 9.5);
INSERT INTO books (author_id, editor, pages, price) VALUES (1, NULL, 0, 9.5);
INSERT INTO reviews VALUES (1, 1, 5);
DELETE FROM books;
DELETE FROM authors;
ALTER TABLE reviews DROP CONSTRAINT reviews_book;
ALTER TABLE reviews DROP CONSTRAINT reviews_book;
ALTER TABLE authors ADD CONSTRAINT recent CHECK (born > 1950);
DROP TABLE authors;
DROP TABLE authors CASCADE;
\d books
\d reviews
